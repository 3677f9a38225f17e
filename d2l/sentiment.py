"""IMDb sentiment-analysis data and prediction (chapter 12).

Taught in notebook 12.5 (sentiment analysis with a bidirectional LSTM): reading the
``aclImdb`` folders, tokenising, building the vocabulary, padding every review to a fixed
length, and labelling a new sentence with a trained network. The real data set (Large Movie
Review Dataset, 25,000 training and 25,000 test reviews) is fetched by :func:`download_imdb`;
:func:`make_sample_imdb` writes a small generated stand-in in the same folder layout for
machines without it. Names and call signatures follow the 2019 book's ``d2l`` package.
"""
import collections
import os
import random
import re
import shutil
import tarfile
import tempfile
from pathlib import Path

from mxnet import nd
from mxnet.contrib import text

import d2l

__all__ = [
    "count_tokens",
    "download_imdb",
    "get_tokenized_imdb",
    "get_vocab_imdb",
    "make_sample_imdb",
    "predict_sentiment",
    "preprocess_imdb",
    "read_imdb",
]


def count_tokens(samples):
    """Count every token in ``samples``, a list of token lists; returns a ``collections.Counter``.

    Taught in notebook 12.5.
    """
    return collections.Counter(token for sample in samples for token in sample)


def download_imdb(data_dir=None):
    """Fetch ``aclImdb_v1.tar.gz`` (84 MB) with ``d2l.download`` and unpack it; return the ``aclImdb`` folder.

    Taught in notebook 12.5. ``data_dir`` (default: the download cache, the project's ``data/``)
    receives the folder; a folder unpacked earlier is reused. The archive is unpacked into a
    temporary folder first and moved into place only when complete, and members that would
    land outside ``data_dir`` (absolute paths, ``..``, links) are refused.
    """
    data_dir = Path(data_dir) if data_dir is not None else d2l.data.hub.cache_dir()
    target = data_dir / 'aclImdb'
    if (target / 'train' / 'pos').is_dir() and (target / 'test' / 'neg').is_dir():
        return target
    archive = d2l.download('aclImdb_v1.tar.gz')
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix='.aclImdb-') as tmp:
        with tarfile.open(archive, 'r:gz') as tar:
            members = tar.getmembers()
            for member in members:
                parts = Path(member.name).parts
                if member.name.startswith('/') or '..' in parts or not (member.isfile() or member.isdir()):
                    raise ValueError(f'refusing to unpack {member.name!r} from {archive}')
            tar.extractall(tmp, members=members)
        if target.exists():
            shutil.rmtree(target)
        os.replace(Path(tmp) / 'aclImdb', target)
    return target


def read_imdb(folder='train', *, data_root=None, seed=0):
    """Read the reviews of one IMDb split as ``[review_text, label]`` pairs, in shuffled order.

    Taught in notebook 12.5. ``folder`` is ``'train'`` or ``'test'``; label 1 is a positive
    review (``pos/``) and 0 a negative one (``neg/``). Line breaks become spaces and the text is
    lower-cased. ``data_root`` is the ``aclImdb`` folder (default: the one
    :func:`download_imdb` unpacks); the order is shuffled with ``random.Random(seed)``.
    """
    if folder not in ('train', 'test'):
        raise ValueError(f"folder must be 'train' or 'test', got {folder!r}")
    root = Path(data_root) if data_root is not None else d2l.data.hub.cache_dir() / 'aclImdb'
    data = []
    for label_name, label in (('pos', 1), ('neg', 0)):
        label_dir = root / folder / label_name
        if not label_dir.is_dir():
            raise FileNotFoundError(f'{label_dir} does not exist: run d2l.download_imdb() for the real '
                                    'data set or d2l.make_sample_imdb(...) for a small generated one')
        for path in sorted(label_dir.glob('*.txt')):
            review = path.read_text(encoding='utf-8').replace('\n', ' ').lower()
            data.append([review, label])
    random.Random(seed).shuffle(data)
    return data


def get_tokenized_imdb(data):
    """Split each review of ``data`` (``[review_text, label]`` pairs) into lower-case tokens.

    Taught in notebook 12.5. A token is a run of letters, digits and apostrophes, or a single
    punctuation mark; the HTML line breaks ``<br />`` of the real reviews are dropped first.
    (The 2019 book split at spaces only, so ``great.`` and ``great`` were different tokens.)
    """
    return [re.findall(r"[\w']+|[^\w\s]", re.sub(r'<br\s*/?>', ' ', review.lower())) for review, _ in data]


def get_vocab_imdb(data, *, min_freq=5):
    """Vocabulary of the tokens that occur at least ``min_freq`` times in ``data``.

    Taught in notebook 12.5. Returns an ``mxnet.contrib.text.vocab.Vocabulary``: index 0 is the
    unknown token ``'<unk>'``, index 1 the padding token ``'<pad>'``, then the tokens from the
    most to the least frequent.
    """
    counter = count_tokens(get_tokenized_imdb(data))
    return text.vocab.Vocabulary(counter, min_freq=min_freq, reserved_tokens=['<pad>'])


def preprocess_imdb(data, vocab, *, max_len=500):
    """Turn ``data`` into ``(features, labels)`` NDArrays: token indices cut or padded to ``max_len``.

    Taught in notebook 12.5. ``features`` has shape ``(len(data), max_len)``; a longer review
    keeps its first ``max_len`` tokens, a shorter one is filled up with the index of
    ``'<pad>'`` (of ``'<unk>'``, index 0, if the vocabulary has no ``'<pad>'``). Both arrays
    are float32 on the CPU; the training loop moves each batch to its context.
    """
    if max_len < 1:
        raise ValueError(f'max_len must be positive, got {max_len}')
    pad = vocab.token_to_idx.get('<pad>', 0)
    rows = []
    for tokens in get_tokenized_imdb(data):
        ids = vocab.to_indices(tokens)[:max_len]
        rows.append(ids + [pad] * (max_len - len(ids)))
    features = nd.array(rows).reshape((len(rows), max_len))
    labels = nd.array([label for _, label in data])
    return features, labels


def predict_sentiment(net, vocab, sentence, *, ctx=None):
    """Label ``sentence`` (a string or a list of tokens) ``'positive'`` or ``'negative'`` with ``net``.

    Taught in notebook 12.5. A string is tokenised like the reviews. ``net`` maps a
    ``(1, num_tokens)`` batch of indices to two scores (class 1 is positive). ``ctx`` defaults
    to the context of ``net``'s first parameter.
    """
    tokens = get_tokenized_imdb([[sentence, None]])[0] if isinstance(sentence, str) else list(sentence)
    if not tokens:
        raise ValueError(f'sentence {sentence!r} has no tokens')
    if ctx is None:
        ctx = next(iter(net.collect_params().values())).list_ctx()[0]
    X = nd.array(vocab.to_indices(tokens), ctx=ctx).reshape((1, -1))
    label = int(net(X).argmax(axis=1).asscalar())
    return 'positive' if label == 1 else 'negative'


# --- generated stand-in for the real data set --------------------------------------------------

_SUBJECTS = ['this movie', 'the film', 'this picture', 'the sequel', 'this story', 'the remake']
_ASPECTS = ['acting', 'plot', 'script', 'music', 'ending', 'dialogue', 'cast', 'pacing',
            'soundtrack', 'photography', 'humor', 'direction']
_ADJECTIVES = {
    1: ['wonderful', 'brilliant', 'moving', 'excellent', 'superb', 'delightful', 'charming',
        'gripping', 'beautiful', 'great', 'clever', 'touching'],
    0: ['awful', 'boring', 'terrible', 'dull', 'weak', 'clumsy', 'painful', 'predictable',
        'silly', 'bad', 'poor', 'messy'],
}
_VERDICTS = {
    1: ['i loved every minute of it', 'i would happily watch it again', 'highly recommended',
        'one of the best films of the year', 'it kept me smiling for days', 'a real gem',
        'the audience applauded at the end', 'worth every penny'],
    0: ['i wanted my money back', 'i nearly fell asleep', 'avoid this one',
        'one of the worst films of the year', 'a complete waste of time', 'i walked out halfway',
        'the audience was laughing at it', 'not worth the ticket'],
}
_NEUTRAL = ['it is about {topic}', 'i saw it {when}', 'it runs about {minutes} minutes',
            'the story takes place in {place}', 'the lead actor also starred in {other}',
            'there is a long scene {where}']
_FILL = {
    'topic': ['a detective in a small town', 'two sisters who run a farm', 'a soldier coming home',
              'a band on tour', 'a family moving to the city', 'a robot that learns to paint'],
    'when': ['on a rainy sunday', 'with my family', 'at a festival', 'on a long flight',
             'after work', 'in an empty theater'],
    'minutes': ['90', '100', '110', '120', '140'],
    'place': ['paris', 'a desert', 'a hospital', 'the fifties', 'space', 'a school'],
    'other': ['a war film', 'a comedy', 'a crime series', 'a musical'],
    'where': ['in a train', 'at a wedding', 'on a boat', 'in the rain', 'in a kitchen'],
}


def _sample_review(rng, label):
    """One generated review of the given polarity: a few sentences, some neutral or contrary."""
    other = 1 - label

    def adj(polarity=label):
        return rng.choice(_ADJECTIVES[polarity])

    def aspect():
        return rng.choice(_ASPECTS)

    opening = rng.choice([f'{rng.choice(_SUBJECTS)} was {adj()}', f'what a {adj()} film',
                          f'it was {adj()} from start to finish', f'a {adj()} story with a {adj()} cast'])
    sentences = [opening]
    for _ in range(rng.randint(1, 3)):
        sentences.append(rng.choice([f'the {aspect()} was {adj()}', f'{adj()} {aspect()} and {adj()} {aspect()}',
                                     f'the {aspect()} was {adj()} and the {aspect()} was {adj()}']))
    if rng.random() < 0.35:  # a contrary remark about one aspect
        sentences.append(rng.choice([f'the {aspect()} was {adj(other)}', f'only the {aspect()} was {adj(other)}']))
    if rng.random() < 0.3:  # a negated adjective of the other polarity
        sentences.append(f'the {aspect()} was not {adj(other)}')
    for _ in range(rng.randint(0, 2)):
        template = rng.choice(_NEUTRAL)
        sentences.append(template.format(**{k: rng.choice(v) for k, v in _FILL.items()}))
    if rng.random() < 0.6:
        sentences.append(rng.choice(_VERDICTS[label]))
    rng.shuffle(sentences)
    separators = [' <br /><br />' if rng.random() < 0.1 else '' for _ in sentences]
    return ' '.join(s[0].upper() + s[1:] + '.' + sep for s, sep in zip(sentences, separators)).strip()


def make_sample_imdb(root, n_per_class, seed):
    """Write a small generated stand-in for IMDb under ``root/aclImdb``; return that folder.

    Taught in notebook 12.5, which uses it when the real data set is absent. The layout is the
    real one, ``aclImdb/{train,test}/{pos,neg}/*.txt``: each of the four folders gets
    ``n_per_class`` English reviews built from templates (clear sentiment words, a few contrary
    or negated remarks, neutral sentences), named ``<id>_<rating>.txt`` like the real files
    (ratings 7-10 positive, 1-4 negative). The same ``seed`` writes the same files.
    A folder that is not a sample written by this function is never overwritten.
    """
    if n_per_class < 1:
        raise ValueError(f'n_per_class must be positive, got {n_per_class}')
    target = Path(root) / 'aclImdb'
    marker = target / 'SAMPLE.txt'
    if target.exists() and not marker.exists():
        raise FileExistsError(f'{target} exists and is not a generated sample; choose another root')
    if target.exists():
        shutil.rmtree(target)
    rng = random.Random(seed)
    for split in ('train', 'test'):
        for label_name, label in (('pos', 1), ('neg', 0)):
            folder = target / split / label_name
            folder.mkdir(parents=True)
            for i in range(n_per_class):
                rating = rng.randint(7, 10) if label else rng.randint(1, 4)
                (folder / f'{i}_{rating}.txt').write_text(_sample_review(rng, label), encoding='utf-8')
    marker.write_text(f'Generated by d2l.make_sample_imdb(n_per_class={n_per_class}, seed={seed}); '
                      'not the real IMDb data set.\n', encoding='utf-8')
    return target
