from __future__ import annotations

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.monitoring.models import RelevanceRule

pytestmark = pytest.mark.django_db


def url(office):
    return reverse("monitoring:vocabulary", kwargs={"office_slug": office.slug})


def test_an_editor_adds_and_removes_a_word_and_the_office_below_inherits_it(client, offices, member):
    editor = member("33", "editor")
    client.force_login(editor)
    response = client.post(url(offices["33"]), {"phrase": "  Pilgub   Jateng ", "action": "add"})
    assert response.status_code == 302
    rule = RelevanceRule.objects.get()
    assert (rule.office, rule.phrase, rule.action) == (offices["33"], "pilgub jateng", "add")
    assert AuditEvent.objects.filter(action="monitoring.relevance_rule_add").count() == 1
    below = client.get(url(offices["33.20"])).content.decode()
    assert "pilgub jateng" in below
    assert "Diwarisi dari kantor di atas" in below
    client.post(
        reverse("monitoring:vocabulary_remove", kwargs={"office_slug": offices["33"].slug}),
        {"phrase": "pilgub jateng"},
    )
    assert not RelevanceRule.objects.exists()
    assert AuditEvent.objects.filter(action="monitoring.relevance_rule_remove").count() == 1


def test_an_operator_sees_the_vocabulary_but_cannot_change_it(client, offices, member):
    client.force_login(member("33.20", "operator"))
    page = client.get(url(offices["33.20"]))
    assert page.status_code == 200
    assert "Simpan aturan" not in page.content.decode()
    assert client.post(url(offices["33.20"]), {"phrase": "x", "action": "add"}).status_code == 403
    assert not RelevanceRule.objects.exists()


def test_a_phrase_is_shown_as_text(client, offices, member):
    client.force_login(member("33.20", "editor"))
    client.post(url(offices["33.20"]), {"phrase": "<script>alert(1)</script>", "action": "add"})
    page = client.get(url(offices["33.20"])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
