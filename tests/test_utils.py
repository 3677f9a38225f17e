import numpy as np
import pytest
from mxnet import nd

import d2l


def test_require_version():
    d2l.require_version("0.1.0")
    d2l.require_version("0.0.9")
    with pytest.raises(ImportError, match="pip install -e"):
        d2l.require_version("99.0")
    with pytest.raises(ValueError, match="not a version"):
        d2l.require_version("latest")


def test_set_seed_makes_draws_repeat():
    d2l.set_seed(7)
    a = (nd.random.normal(shape=5).asnumpy(), np.random.rand(3))
    d2l.set_seed(7)
    b = (nd.random.normal(shape=5).asnumpy(), np.random.rand(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    d2l.set_seed(8)
    assert not np.array_equal(nd.random.normal(shape=5).asnumpy(), a[0])
