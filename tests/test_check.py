import d2l
from d2l import check


def test_report_names_the_stack_and_context():
    lines = check.report()
    text = "\n".join(lines)
    assert "MXNet   1.9.1 (CPU build)" in text
    assert "NumPy   1.23.5" in text
    assert "context cpu(0)" in text
    assert f"font    {d2l.plot.korean_font}" in text
    assert not any(line.startswith("PROBLEM") for line in lines)


def test_main_exit_status(capsys):
    assert check.main() == 0
    assert "GPUs    0" in capsys.readouterr().out
