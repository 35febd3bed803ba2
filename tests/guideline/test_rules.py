"""An office's own additions to the guideline (humas/guideline/rules.py): local candidates and
parties, support phrases, official sites and warnings held as blocks, inherited down the tree and
never loosened below; the guideline page with its examples and its try box."""

# The fixtures are imported from another test package: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import pytest

from humas.audit.models import AuditEvent
from humas.guideline.check import text_policy_report
from humas.guideline.rules import GuidelineError, RulesInput, guideline_rules_set, office_ruleset
from humas.offices.policy import PolicyDenied
from humas.textkit.contentpolicy import load_default_rules
from tests.publishing.conftest import JEPARA, admin, editor, operator  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

BASE = "/app/kab-jepara/"
CENTRAL_JAVA = "33"


def rules_of(office, text):
    return [(f.rule, f.severity) for f in text_policy_report(office=office, texts=[("t", "", text)]).findings]


@pytest.fixture
def province_admin(member):
    return member(CENTRAL_JAVA, "admin", email="admin.jateng@kpu.test")


def test_a_local_candidate_set_by_the_province_is_caught_in_the_regency_below(province_admin, offices):
    text = "Ayo dukung Budi Santoso jadi gubernur!"
    assert rules_of(offices[JEPARA], text) == []

    guideline_rules_set(
        actor=province_admin,
        office=offices[CENTRAL_JAVA],
        data=RulesInput(candidates="Budi Santoso | 1 | budi, mas budi"),
    )

    assert ("partisan.support_candidate", "block") in rules_of(offices[JEPARA], text)
    assert ("partisan.support_candidate", "block") in rules_of(offices[JEPARA], "coblos mas budi")
    # Another province is not concerned.
    assert rules_of(offices["35"], text) == []
    event = AuditEvent.objects.get(action="guideline.set")
    assert event.changes == {"candidates": {"before": 0, "after": 1}}


def test_official_sites_and_stricter_rules_follow_the_tree_and_are_never_loosened(
    province_admin, admin, offices
):
    link = "Jadwal lengkap di https://jateng-pemilu.example/jadwal"
    figure = "Jumlah pemilih di Jepara 987.654 orang."
    assert rules_of(offices[JEPARA], link) == [("non_official_link.host", "warn")]
    assert ("unverified_figure.count", "warn") in rules_of(offices[JEPARA], figure)

    guideline_rules_set(
        actor=province_admin,
        office=offices[CENTRAL_JAVA],
        data=RulesInput(
            official_hosts="https://www.jateng-pemilu.example/", stricter=["unverified_figure.count"]
        ),
    )

    assert rules_of(offices[JEPARA], link) == []
    assert ("unverified_figure.count", "block") in rules_of(offices[JEPARA], figure)
    # The regency's own additions do not undo the province's: the figure stays a block.
    guideline_rules_set(actor=admin, office=offices[JEPARA], data=RulesInput(support_phrases="pilih ae"))
    assert ("unverified_figure.count", "block") in rules_of(offices[JEPARA], figure)
    # The shipped rules themselves are untouched.
    assert load_default_rules().severity("unverified_figure.count") == "warn"


def test_the_compiled_rules_are_kept_until_a_layer_changes(admin, offices):
    office = offices[JEPARA]
    assert office_ruleset(office) is load_default_rules()
    guideline_rules_set(actor=admin, office=office, data=RulesInput(parties="Partai Jepara | 30 | pj"))
    first = office_ruleset(office)
    assert office_ruleset(office) is first
    guideline_rules_set(actor=admin, office=office, data=RulesInput(parties="Partai Jepara | 31 | pj"))
    assert office_ruleset(office) is not first
    guideline_rules_set(actor=admin, office=office, data=RulesInput())
    assert office_ruleset(office) is load_default_rules()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (RulesInput(candidates="Budi Santoso"), "Nama | nomor urut"),
        (RulesInput(candidates="Budi | satu"), "nomor urut harus angka"),
        (RulesInput(parties="P | 1000"), "nomor urut harus angka"),
        (RulesInput(official_hosts="bukan situs"), "Situs resmi tidak dikenali"),
        (RulesInput(support_phrases="x" * 201), "terlalu panjang"),
        (RulesInput(support_phrases="\n".join(f"frasa {n}" for n in range(201))), "paling banyak 200"),
    ],
)
def test_bad_additions_are_refused_with_the_reason(admin, offices, data, message):
    with pytest.raises(GuidelineError, match=message):
        guideline_rules_set(actor=admin, office=offices[JEPARA], data=data)
    assert not AuditEvent.objects.filter(action="guideline.set").exists()


def test_only_an_administrator_sets_the_additions(editor, offices):
    with pytest.raises(PolicyDenied):
        guideline_rules_set(actor=editor, office=offices[JEPARA], data=RulesInput(support_phrases="x"))


def test_the_guideline_page_shows_rules_examples_and_tries_a_text(client, operator, admin):
    client.force_login(operator)
    page = client.get(f"{BASE}pedoman/").content.decode()
    assert "Selamat HUT RI ke-79" in page  # an innocent look-alike of a birthday greeting
    assert "Atur tambahan kantor ini" not in page

    tried = client.post(f"{BASE}pedoman/", {"try": "1", "text": "Selamat ulang tahun Pak Ketua"})
    assert tried.status_code == 200
    assert '<mark class="guideline-block"' in tried.content.decode()
    assert client.post(f"{BASE}pedoman/", {"save": "1", "parties": "P | 1"}).status_code == 403

    client.force_login(admin)
    saved = client.post(
        f"{BASE}pedoman/",
        {"save": "1", "candidates": "Budi Santoso | 1 | budi", "stricter": ["non_official_link.host"]},
        follow=True,
    )
    page = saved.content.decode()
    assert "Aturan pedoman kantor ini disimpan." in page
    assert "Budi Santoso (1)" in page
    refused = client.post(f"{BASE}pedoman/", {"save": "1", "candidates": "Budi"})
    assert refused.status_code == 400
    assert "Nama | nomor urut" in refused.content.decode()
