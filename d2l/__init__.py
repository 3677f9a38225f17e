"""d2l: the helper package of the Korean MXNet Gluon course *d2l-ko-gluon*.

Every helper is explained in the notebook named in its docstring and lives here once.
The names and call signatures of the 2019 book's ``d2l`` package are kept, so the
book's own code runs against this package. Import ``d2l`` before ``mxnet``: on the GPU
build it loads the CUDA libraries that MXNet needs (see :mod:`d2l.context`).
"""
import sys

__version__ = "0.1.0"

if sys.version_info < (3, 9) or sys.version_info >= (3, 12):
    raise ImportError(
        f"d2l-ko-gluon needs Python 3.9-3.11 (MXNet 1.9.1 needs numpy<1.24, which has no wheel "
        f"for newer Pythons); this is Python {sys.version.split()[0]}. See README.md. / "
        "Python 3.9~3.11 환경이 필요합니다."
    )

from .context import num_gpus, try_all_gpus, try_gpu  # noqa: E402  (loads CUDA before mxnet)
from .config import smoke, smoke_mode  # noqa: E402
from .data import (download, get_fashion_mnist_labels, load_data_fashion_mnist,  # noqa: E402
                   load_idx_dataset, read_idx, show_fashion_mnist)
from .linear import data_iter, linreg, sgd, squared_loss  # noqa: E402
from .plot import plt, semilogy, set_figsize, use_svg_display  # noqa: E402
from .results import compare_with_book  # noqa: E402
from .timer import Benchmark, Timer  # noqa: E402
from .training import evaluate_accuracy, train, train_ch3  # noqa: E402
from .utils import require_version, set_seed  # noqa: E402
from . import exercise  # noqa: E402,F401  (d2l.exercise.check)

# Later chapters: each module lists its public names in its own ``__all__``.
from . import cnn, detection, distributed, image, lecture, optim, resnet, rnn, segmentation  # noqa: E402
from . import scratch, sentiment, seq2seq, wordvec  # noqa: E402
from .cnn import *  # noqa: E402,F401,F403
from .detection import *  # noqa: E402,F401,F403
from .distributed import *  # noqa: E402,F401,F403
from .image import *  # noqa: E402,F401,F403
from .lecture import *  # noqa: E402,F401,F403
from .optim import *  # noqa: E402,F401,F403
from .resnet import *  # noqa: E402,F401,F403
from .rnn import *  # noqa: E402,F401,F403
from .scratch import *  # noqa: E402,F401,F403
from .segmentation import *  # noqa: E402,F401,F403
from .sentiment import *  # noqa: E402,F401,F403
from .seq2seq import *  # noqa: E402,F401,F403
from .wordvec import *  # noqa: E402,F401,F403

__all__ = [
    "Benchmark",
    "compare_with_book",
    "data_iter",
    "download",
    "evaluate_accuracy",
    "get_fashion_mnist_labels",
    "linreg",
    "load_data_fashion_mnist",
    "load_idx_dataset",
    "num_gpus",
    "plt",
    "read_idx",
    "require_version",
    "semilogy",
    "set_figsize",
    "set_seed",
    "sgd",
    "show_fashion_mnist",
    "smoke",
    "smoke_mode",
    "squared_loss",
    "Timer",
    "train",
    "train_ch3",
    "try_all_gpus",
    "try_gpu",
    "use_svg_display",
]
__all__ += [name for module in (cnn, detection, distributed, image, lecture, optim, resnet, rnn, scratch,
                                 segmentation, sentiment, seq2seq, wordvec) for name in module.__all__]
