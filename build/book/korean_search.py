"""Korean full-text search for the HTML book.

Sphinx ships no Korean search language: with ``language = "ko"`` it indexes whole
space-separated words, and Korean attaches particles to words (선형 회귀는, 회귀를), so a query
such as "회귀" finds nothing. This language indexes every word as usual and, in addition,
every pair of adjacent Hangul syllables (bigram), also across the space between two Hangul
words ("선형 회귀는" -> 선형, 형회, 회귀, 귀는). A query word of two syllables is then a term
of the index; a longer one is split into its bigrams by the query splitter below, so
"선형회귀" finds pages that write "선형 회귀" as well as "선형회귀".
"""
import re

from sphinx.search import SearchLanguage

HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]{2,}")


def hangul_bigrams(word):
    """Every two adjacent Hangul syllables in ``word``: '선형회귀는' -> 선형, 형회, 회귀, 귀는."""
    grams = []
    for run in HANGUL_RUN.findall(word):
        grams.extend(run[i:i + 2] for i in range(len(run) - 1))
    return grams


class SearchKorean(SearchLanguage):
    lang = "ko"
    language_name = "Korean"

    # The query side: split like Sphinx's default splitter (on anything that is not a letter,
    # digit or underscore), then replace a Hangul word of three or more syllables by its
    # bigrams (every one must occur on a page: Sphinx joins query terms with AND).
    js_splitter_code = r"""
function splitQuery(query) {
  const words = query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter((term) => term);
  const terms = [];
  for (const word of words) {
    if (/^[\uac00-\ud7a3]{3,}$/.test(word)) {
      for (let i = 0; i + 1 < word.length; i++) terms.push(word.slice(i, i + 2));
    } else {
      terms.push(word);
    }
  }
  return terms;
}
"""

    def split(self, input):
        words = super().split(input)
        grams = [gram for word in words for gram in hangul_bigrams(word)]
        grams += [a[-1] + b[0] for a, b in zip(words, words[1:]) if HANGUL_RUN.match(a[-1] + b[0])]
        return words + grams


def setup(app):
    app.add_search_language(SearchKorean)
    # conf.py sets this to a hash of this file, so an edit here re-indexes every page.
    app.add_config_value("korean_search_version", "", "env")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
