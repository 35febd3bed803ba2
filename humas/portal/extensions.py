"""Places on every portal page that apps above the portal fill (in their AppConfig.ready): a block
on the home page and links in the site's menu. The portal renders what is registered and knows
nothing of the apps that registered it. What is registered is the same for every visitor, so
pages stay cacheable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomeBlock:
    template: str  # rendered with the home page's context (``office`` among it)
    order: int = 0


@dataclass(frozen=True)
class NavLink:
    label: Any  # a lazily translated string
    path: str  # relative to the office's home URL ("cek-klaim/")
    order: int = 0


_home_blocks: dict[str, HomeBlock] = {}
_nav_links: dict[str, NavLink] = {}


def register_home_block(block: HomeBlock) -> None:
    _home_blocks[block.template] = block


def register_nav_link(link: NavLink) -> None:
    _nav_links[link.path] = link


def home_blocks() -> list[HomeBlock]:
    return sorted(_home_blocks.values(), key=lambda b: (b.order, b.template))


def nav_links() -> list[NavLink]:
    return sorted(_nav_links.values(), key=lambda n: (n.order, n.path))
