"""The query language of X's recent search, as much of it as a listening tool uses: keywords
(tokenized, case-insensitive), "exact phrases", implicit AND, ``OR``, ``( … )`` grouping,
``-`` negation, ``@mention``, ``#hashtag`` and the operators ``is:retweet``, ``is:reply``,
``is:quote``, ``has:links``, ``has:mentions``, ``has:hashtags``, ``lang:``, ``from:``, ``to:``,
``conversation_id:``. An unknown operator or an unbalanced query is refused, as X refuses it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_TOKEN = re.compile(r'-?"[^"]*"|-?\(|\)|-?[^\s()"]+')
_WORDS = re.compile(r"[#@]?[\w']+", re.UNICODE)
OPERATORS = frozenset({"is", "has", "lang", "from", "to", "conversation_id", "url"})


class Post(Protocol):
    """What the matcher reads of a post of the fake (fakes/x.py ``Tweet``)."""

    @property
    def text(self) -> str: ...

    @property
    def author_id(self) -> str: ...

    @property
    def conversation_id(self) -> str: ...

    @property
    def in_reply_to(self) -> str | None: ...

    @property
    def media_ids(self) -> list[str]: ...


class Accounts(Protocol):
    """What the matcher needs of the fake: who wrote a post, and the posts themselves."""

    def username_of(self, user_id: str) -> str: ...

    def tweet_of(self, tweet_id: str) -> Post | None: ...


def words(text: str) -> list[str]:
    """A post's text as X's keyword matching sees it: tokens, case folded, punctuation dropped."""
    return [w.casefold() for w in _WORDS.findall(text)]


@dataclass(frozen=True)
class _Node:
    kind: str  # "and", "or", "not", "phrase", "operator"
    children: tuple[_Node, ...] = ()
    value: tuple[str, ...] = ()


class SearchQuery:
    def __init__(self, query: str) -> None:
        self.text = query
        self._tokens = _TOKEN.findall(query)
        self._at = 0
        if not self._tokens:
            raise ValueError("the query is empty")
        self._tree = self._expression()
        if self._at != len(self._tokens):
            raise ValueError(f"unexpected '{self._tokens[self._at]}'")

    # --- parsing -----------------------------------------------------------------------------

    def _expression(self) -> _Node:
        parts = [self._conjunction()]
        while self._at < len(self._tokens) and self._tokens[self._at] == "OR":
            self._at += 1
            parts.append(self._conjunction())
        return parts[0] if len(parts) == 1 else _Node("or", tuple(parts))

    def _conjunction(self) -> _Node:
        parts: list[_Node] = []
        while self._at < len(self._tokens) and self._tokens[self._at] not in ("OR", ")"):
            parts.append(self._unary())
        if not parts:
            raise ValueError("an operand is missing")
        return parts[0] if len(parts) == 1 else _Node("and", tuple(parts))

    def _unary(self) -> _Node:
        term = self._tokens[self._at]
        negated = term.startswith("-") and len(term) > 1
        if negated:
            term = term[1:]
        self._at += 1
        if term == "(":
            node = self._expression()
            if self._at >= len(self._tokens) or self._tokens[self._at] != ")":
                raise ValueError("a parenthesis is not closed")
            self._at += 1
        elif term.startswith('"'):
            phrase = tuple(words(term.strip('"')))
            if not phrase:
                raise ValueError("an empty phrase")
            node = _Node("phrase", value=phrase)
        elif ":" in term and term.split(":", 1)[0] in OPERATORS:
            name, _, argument = term.partition(":")
            if not argument:
                raise ValueError(f"operator {name}: needs a value")
            if name == "is" and argument not in ("retweet", "reply", "quote", "verified"):
                raise ValueError(f"Reference to invalid operator 'is:{argument}'")
            if name == "has" and argument not in ("links", "mentions", "hashtags", "media", "images"):
                raise ValueError(f"Reference to invalid operator 'has:{argument}'")
            node = _Node("operator", value=(name, argument))
        elif ":" in term and re.fullmatch(r"[a-z_]+:\S+", term):
            raise ValueError(f"Reference to invalid operator '{term.split(':', 1)[0]}'")
        else:
            phrase = tuple(words(term))
            if not phrase:
                raise ValueError(f"'{term}' is not a keyword")
            node = _Node("phrase", value=phrase)
        return _Node("not", (node,)) if negated else node

    # --- matching ----------------------------------------------------------------------------

    def conversation_root(self) -> str | None:
        """The conversation a ``conversation_id:`` query asks for (its root is no answer in it)."""
        match = re.search(r"(?<![-\w])conversation_id:(\d+)", self.text)
        return match[1] if match else None

    def matches(self, tweet: Post, accounts: Accounts) -> bool:
        return self._match(self._tree, tweet, words(tweet.text), accounts)

    def _match(self, node: _Node, tweet: Post, tokens: list[str], accounts: Accounts) -> bool:
        if node.kind == "and":
            return all(self._match(c, tweet, tokens, accounts) for c in node.children)
        if node.kind == "or":
            return any(self._match(c, tweet, tokens, accounts) for c in node.children)
        if node.kind == "not":
            return not self._match(node.children[0], tweet, tokens, accounts)
        if node.kind == "phrase":
            size = len(node.value)
            return any(tuple(tokens[i : i + size]) == node.value for i in range(len(tokens) - size + 1))
        name, argument = node.value
        text = tweet.text
        if name == "is":
            if argument == "retweet":
                return text.startswith("RT @")
            if argument == "reply":
                return tweet.in_reply_to is not None
            return False  # quotes and verified accounts are not simulated
        if name == "has":
            if argument == "links":
                return "http://" in text or "https://" in text
            if argument == "mentions":
                return any(t.startswith("@") for t in tokens)
            if argument == "hashtags":
                return any(t.startswith("#") for t in tokens)
            return bool(tweet.media_ids)
        if name == "lang":
            return argument == "in"  # every post of the fake is Indonesian
        if name == "from":
            return accounts.username_of(tweet.author_id).casefold() == argument.lstrip("@").casefold()
        if name == "to":
            parent = accounts.tweet_of(tweet.in_reply_to or "")
            return parent is not None and (
                accounts.username_of(parent.author_id).casefold() == argument.lstrip("@").casefold()
            )
        if name == "conversation_id":
            return tweet.conversation_id == argument
        return argument.casefold() in text.casefold()  # url:
