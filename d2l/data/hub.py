"""The data hub: where every data set of the course comes from.

Introduced in notebook 4.7 (naive Bayes on MNIST), the first notebook that reads a data set.

``download(name)`` returns the local path of a registered file. It first looks in a search
path, in this order:

1. every folder in ``$D2L_DATA_DIR`` (``os.pathsep``-separated; CI points it at a read-only
   offline copy such as ``../shared/data``),
2. the download cache (``$D2L_CACHE_DIR``, by default the project's ``data/`` folder),
3. ``/usr/share/datasets/`` (Debian's ``dataset-*`` packages install there).

A file found there, or downloaded, is accepted only if its SHA-1 matches the registry.
Downloads stream into a temporary file beside the target and are renamed into place only
after the checksum passes, so an interrupted or corrupt download leaves nothing behind.
"""
import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

DATA_DIR_ENV = "D2L_DATA_DIR"
CACHE_DIR_ENV = "D2L_CACHE_DIR"
PROJECT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SYSTEM_DATA_DIR = Path("/usr/share/datasets")
TIMEOUT_SECONDS = 60
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DataFile:
    """One registered file: its path below a data folder, its URL and its SHA-1.

    ``content_sha1`` is the SHA-1 of the uncompressed bytes of a ``.gz`` file. Mirrors
    sometimes re-compress archives, so either checksum is accepted.
    """

    path: str
    url: str
    sha1: str
    content_sha1: Optional[str] = None


class DataHubError(RuntimeError):
    """A data file could not be found, downloaded or verified."""


class ChecksumError(DataHubError):
    """A file's SHA-1 does not match the registry."""


_FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_D2L = "http://d2l-data.s3-accelerate.amazonaws.com/"
_DLFS2 = "https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/master/dataset/"
_PIKACHU = "https://apache-mxnet.s3-accelerate.amazonaws.com/gluon/dataset/pikachu/"


def _idx(folder: str, url: str, stem: str, sha1: str, content_sha1: str) -> DataFile:
    return DataFile(f"{folder}/{stem}.gz", f"{url}{stem}.gz", sha1, content_sha1)


REGISTRY: Dict[str, DataFile] = {
    f.path: f
    for f in [
        _idx("fashion-mnist", _FASHION, "train-images-idx3-ubyte",
             "f3b839f14745c4e79b8fd3c612c99de71320e861", "b9bd999c0106c9b8b4b0cefce58c9a6060f27095"),
        _idx("fashion-mnist", _FASHION, "train-labels-idx1-ubyte",
             "f4909103fbdc4fa0d25c24c0ef242affd5e6311d", "4bccf37222e01638381eaa326bf730337a597267"),
        _idx("fashion-mnist", _FASHION, "t10k-images-idx3-ubyte",
             "5273a894aa97b4c0880e0d709e6afbdc770d05e3", "880056926db704f9f713097915f99da346f5b1d1"),
        _idx("fashion-mnist", _FASHION, "t10k-labels-idx1-ubyte",
             "9317cfa0b855692f9538dd9e8821f97222088aa9", "958122e8b4b97fd4e71eca2d08ef754ed77c3ad9"),
        _idx("mnist", _MNIST, "train-images-idx3-ubyte",
             "f777bce1571cc179af8bee1bb1714519c20c020b", "c3557c10f29b266e19b3eeee1553c85e0ef4a8ea"),
        _idx("mnist", _MNIST, "train-labels-idx1-ubyte",
             "279556a35e0dda984e17561b26ee7d0238054732", "adbf52269f5d842899f287c269e2883e40b4f6e2"),
        _idx("mnist", _MNIST, "t10k-images-idx3-ubyte",
             "dc186ae493dba097a33d04eaedf5837b964603ef", "65e11ec1fd220343092a5070b58418b5c2644e26"),
        _idx("mnist", _MNIST, "t10k-labels-idx1-ubyte",
             "01ab7c3434ec8cac1a7da4bc5bd1219578a5ce40", "a6d52cc628797e845885543326e9f10abb8a6f89"),
        DataFile("kaggle_house_pred_train.csv", _D2L + "kaggle_house_pred_train.csv",
                 "585e9cc93e70b39160e7921475f9bcd7d31219ce"),
        DataFile("kaggle_house_pred_test.csv", _D2L + "kaggle_house_pred_test.csv",
                 "fa19780a7b011d9b009e8bff8e99922a8ee2eb90"),
        DataFile("timemachine.txt", _D2L + "timemachine.txt", "090b5e7e70c295757f55df93cb0a180b9691891a"),
        DataFile("jaychou_lyrics.txt.zip",
                 "https://raw.githubusercontent.com/d2l-ai/d2l-zh/v1.0/data/jaychou_lyrics.txt.zip",
                 "9529987e701a4f37048ab778270a5dde9a762a0b"),
        DataFile("ptb.zip", _D2L + "ptb.zip", "319d85e578af0cdc590547f26231e4e31cdf1e42"),
        DataFile("fr-en-small.txt", _D2L + "fr-en-small.txt", "4192ace3405b0b6a2f9761eb6c19494b1f8a9761"),
        DataFile("airfoil_self_noise.dat", _D2L + "airfoil_self_noise.dat",
                 "76e5be1548fd8222e5074cf0faae75edff8cf93f"),
        DataFile("addition.txt", _DLFS2 + "addition.txt", "79644a1a6499addf71216dcd254f1909117bd1cd"),
        DataFile("date.txt", _DLFS2 + "date.txt", "38e5ddadff23e8217988cc8da09f074108d0d820"),
        # Not in the offline copy: the notebooks that read these fall back to generated samples.
        DataFile("pikachu/train.rec", _PIKACHU + "train.rec", "e6bcb6ffba1ac04ff8a9b1115e650af56ee969c8"),
        DataFile("pikachu/train.idx", _PIKACHU + "train.idx", "dcf7318b2602c06428b9988470c731621716c393"),
        DataFile("pikachu/val.rec", _PIKACHU + "val.rec", "d6c33f799b4d058e82f2cb5bd9a976f69d72d520"),
        DataFile("VOCtrainval_11-May-2012.tar", "http://data.mxnet.io/data/VOCtrainval_11-May-2012.tar",
                 "4e443f8a2eca6b1dac8a6c57641b67dd40621a49"),
        DataFile("aclImdb_v1.tar.gz", "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
                 "01ada507287d82875905620988597833ad4e0903"),
    ]
}


def search_path() -> List[Path]:
    """Folders searched for data files, in order (see the module docstring)."""
    folders = [Path(p).expanduser() for p in os.environ.get(DATA_DIR_ENV, "").split(os.pathsep) if p]
    for folder in (cache_dir(), PROJECT_DATA_DIR, SYSTEM_DATA_DIR):
        if folder not in folders:
            folders.append(folder)
    return folders


def cache_dir() -> Path:
    """Folder that downloads are written to: ``$D2L_CACHE_DIR`` or the project's ``data/``."""
    return Path(os.environ.get(CACHE_DIR_ENV) or PROJECT_DATA_DIR).expanduser()


def sha1_of(path: Path, uncompressed: bool = False) -> str:
    """SHA-1 of a file's bytes, or of its gunzipped bytes when ``uncompressed`` is True."""
    digest = hashlib.sha1()
    opener = gzip.open if uncompressed else open
    with opener(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, entry: DataFile) -> Tuple[bool, str]:
    """Check ``path`` against ``entry``; return (ok, the SHA-1 that was computed)."""
    actual = sha1_of(path)
    if actual == entry.sha1:
        return True, actual
    if entry.content_sha1:
        try:
            if sha1_of(path, uncompressed=True) == entry.content_sha1:
                return True, actual
        except (OSError, EOFError, gzip.BadGzipFile):
            pass
    return False, actual


def _lookup(name: str) -> DataFile:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"{name!r} is not a registered data file. Known names: {known}") from None


def find(name: str, root: Optional[Path] = None) -> Optional[Path]:
    """Return the first verified local copy of ``name`` on the search path, or None.

    ``root``, when given, is searched before the search path.

    A copy whose checksum is wrong raises :class:`ChecksumError` rather than being skipped,
    so a damaged file is never silently shadowed by another one.
    """
    entry = _lookup(name)
    folders = ([Path(root).expanduser()] if root else []) + search_path()
    for folder in folders:
        candidate = folder / entry.path
        if candidate.is_file():
            ok, actual = verify(candidate, entry)
            if not ok:
                raise ChecksumError(
                    f"{candidate} has SHA-1 {actual}, expected {entry.sha1}. The file is damaged or "
                    f"a different version: delete it (it will be downloaded again from {entry.url}) "
                    "or replace it with a good copy."
                )
            return candidate
    return None


def _progress(name: str, done: int, total: Optional[int]) -> None:
    if total:
        sys.stderr.write(f"\rDownloading {name}: {done / 2**20:.1f} / {total / 2**20:.1f} MiB")
    else:
        sys.stderr.write(f"\rDownloading {name}: {done / 2**20:.1f} MiB")
    sys.stderr.flush()


def fetch(entry: DataFile, target: Path) -> Path:
    """Download ``entry`` to ``target`` atomically and verify it; return ``target``.

    The bytes go to a temporary file in the target's folder, which is renamed to ``target``
    only after the SHA-1 matches; on any failure the temporary file is removed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            request = urllib.request.Request(entry.url, headers={"User-Agent": "d2l-ko-gluon"})
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                if response.status != 200:
                    raise DataHubError(f"{entry.url} answered HTTP {response.status}")
                content_type = response.headers.get("Content-Type", "")
                if "text/html" in content_type and not entry.path.endswith((".html", ".htm")):
                    raise DataHubError(f"{entry.url} returned an HTML page instead of the data file")
                total = int(response.headers.get("Content-Length") or 0) or None
                done = 0
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    done += len(chunk)
                    _progress(entry.path, done, total)
                sys.stderr.write("\n")
        ok, actual = verify(tmp, entry)
        if not ok:
            raise ChecksumError(
                f"downloaded {entry.path} from {entry.url} has SHA-1 {actual}, expected {entry.sha1}; "
                "the server sent a different or damaged file, so it was not kept"
            )
        os.replace(tmp, target)
        return target
    finally:
        if tmp.exists():
            tmp.unlink()


def download(name: str, root: Optional[Path] = None) -> Path:
    """Return the local path of the registered data file ``name``, downloading it if needed.

    ``root`` is an extra folder searched first (the 2019 loaders' ``root`` argument).

    >>> download('fashion-mnist/train-labels-idx1-ubyte.gz')  # doctest: +SKIP
    PosixPath('.../fashion-mnist/train-labels-idx1-ubyte.gz')
    """
    local = find(name, root)
    if local is not None:
        return local
    entry = _lookup(name)
    target = cache_dir() / entry.path
    try:
        return fetch(entry, target)
    except ChecksumError:
        raise
    except (urllib.error.URLError, OSError, DataHubError) as err:
        searched = "\n  ".join(str(folder / entry.path) for folder in search_path())
        raise DataHubError(
            f"Could not get data file {entry.path!r}.\n"
            f"Download from {entry.url} failed: {err}\n"
            f"Looked for a local copy at:\n  {searched}\n"
            f"Offline? Copy the file (SHA-1 {entry.sha1}) into one of those folders, or point "
            f"{DATA_DIR_ENV} at a folder that holds it, e.g. {DATA_DIR_ENV}=../shared/data.\n"
            "오프라인이라면 위 폴더 중 하나에 파일을 두거나 D2L_DATA_DIR 환경 변수로 데이터 폴더를 지정하세요."
        ) from err
