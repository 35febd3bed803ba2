"""The public-relations guideline on a post: its main text and each platform's own text, checked
by ``humas.guideline.check`` before it is submitted and at its approval."""

from __future__ import annotations

from django.utils.translation import gettext as _

from humas.guideline.check import PolicyReport, text_policy_report

from .models import Post


def post_policy_report(*, post: Post) -> PolicyReport:
    """The guideline's findings in the post's main text and in each platform's own text."""
    texts = [(_("Teks utama"), "", post.text)]
    texts += [
        (
            _("Teks untuk %(platform)s") % {"platform": variant.get_platform_display()},
            variant.platform,
            variant.text,
        )
        for variant in post.variants.all()
        if variant.text.strip()
    ]
    return text_policy_report(office=post.office, texts=texts)
