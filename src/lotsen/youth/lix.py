"""LIX (läsbarhetsindex, Björnsson 1968): how hard a Swedish text is to read. Pure module.

LIX = words / sentences + 100 × long words / words, where a long word has more than six
letters. Under 30 is very easy, 30–40 easy (children's books, plain-language texts),
40–50 ordinary news text. The young person's pages aim below 40.

For a web page, every block (heading, paragraph, list item, table cell, label, button)
ends a sentence even without a full stop: that is how it reads, one piece at a time.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LONG_WORD_LETTERS = 6

# Elements whose content is never read as text.
_SKIPPED = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCK_TAGS = (
    "address|article|aside|blockquote|br|button|caption|dd|details|div|dl|dt|fieldset|"
    "figcaption|figure|footer|form|h[1-6]|header|hr|label|legend|li|main|nav|ol|option|p|"
    "section|select|summary|table|tbody|td|textarea|tfoot|th|thead|title|desc|tr|ul"
)
_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_BLOCK_MARK = "\n\n"


@dataclass(frozen=True)
class Lix:
    words: int
    sentences: int
    long_words: int

    @property
    def value(self) -> float:
        if not self.words:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words


def html_to_blocks(markup: str) -> list[str]:
    """The text of a page, one string per block, with tags and entities removed."""
    markup = _COMMENT.sub(" ", _SKIPPED.sub(" ", markup))
    markup = _BLOCK.sub(_BLOCK_MARK, markup)
    text = html.unescape(_TAG.sub(" ", markup))
    blocks = (" ".join(block.split()) for block in text.split(_BLOCK_MARK))
    return [block for block in blocks if block]


def _sentences_in(block: str) -> int:
    pieces = [piece for piece in _SENTENCE_END.split(block) if _WORD.search(piece)]
    return max(1, len(pieces))


def lix_of_blocks(blocks: list[str]) -> Lix:
    words = sentences = long_words = 0
    for block in blocks:
        block_words = _WORD.findall(block)
        if not block_words:
            continue
        words += len(block_words)
        long_words += sum(1 for word in block_words if _letters(word) > LONG_WORD_LETTERS)
        sentences += _sentences_in(block)
    return Lix(words=words, sentences=sentences, long_words=long_words)


def _letters(word: str) -> int:
    return sum(1 for char in word if char.isalpha())


def lix(text: str) -> float:
    """LIX of plain text: sentences end at . ! ? : ; and at blank lines."""
    return lix_of_blocks([b for b in text.split(_BLOCK_MARK) if b.strip()]).value


def lix_of_html(markup: str) -> float:
    return lix_of_blocks(html_to_blocks(markup)).value
