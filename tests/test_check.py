import d2l
from d2l import check


def test_report_names_the_stack_and_context():
    lines = check.report()
    text = "\n".join(lines)
    assert "MXNet   1.9.1 (CPU build; features: " in text and "CUDA" not in text
    assert "NumPy   1.23.5" in text
    assert "context cpu(0)" in text
    assert "run matmul + conv on cpu(0): ok" in text
    assert f"font    {d2l.plot.korean_font}" in text
    assert not any(line.startswith("PROBLEM") for line in lines)


def test_main_exit_status(capsys):
    assert check.main() == 0
    assert "GPUs    0" in capsys.readouterr().out


def test_smoke_test_reports_failures(monkeypatch):
    import mxnet as mx

    assert check.smoke_test(mx.cpu()) == "ok"

    def broken(*args, **kwargs):
        raise mx.base.MXNetError("no kernel image is available for execution on the device\nmore")

    monkeypatch.setattr(check.nd, "Convolution", broken)
    assert check.smoke_test(mx.cpu()) == "FAILED: no kernel image is available for execution on the device"
