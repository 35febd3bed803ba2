"""The office switcher resolves what a person typed (#14): exactly one office they may open goes
there; none says so; several are listed to pick from. Never a 404, and no JavaScript needed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
SWITCH = "/app/switch/"
FIND = "/app/offices/find/"


@pytest.fixture
def national(client, member):
    client.force_login(member("00", "admin"))
    return client


@pytest.fixture
def provincial(client, member):
    client.force_login(member("33", "editor"))
    client.get("/app/jateng/")  # the office they work in
    return client


@pytest.mark.parametrize(
    "typed", ["Jepara", "jepara", "KPU Kabupaten Jepara", "kab jepara", "  Kab.  Jepara "]
)
def test_typed_text_naming_one_office_opens_it(provincial, typed):
    # Enter (or "Buka") without picking a suggestion: the <select> still holds the current office.
    response = provincial.post(SWITCH, {"q": typed, "office": "jateng"})
    assert response.status_code == 302
    assert response["Location"] == "/app/kab-jepara/"


def test_a_post_with_only_the_typed_name_works(provincial):
    response = provincial.post(SWITCH, {"q": "Jepara"})
    assert response["Location"] == "/app/kab-jepara/"


def test_a_picked_suggestion_opens_its_office(national):
    # The script copies the picked office into the <select>; the input keeps its name.
    response = national.post(SWITCH, {"q": "KPU Kota Bandung", "office": "kota-bandung"})
    assert response["Location"] == "/app/kota-bandung/"


def test_the_select_alone_still_works(national):
    assert national.post(SWITCH, {"q": "", "office": "kota-bandung"})["Location"] == "/app/kota-bandung/"


def test_an_exact_name_wins_over_longer_names(national):
    response = national.post(SWITCH, {"q": "KPU Kabupaten Bandung", "office": "ri"})
    assert response["Location"] == "/app/kab-bandung/"


def test_several_matches_are_listed_to_pick_from(national):
    response = national.post(SWITCH, {"q": "Kepulauan", "office": "ri"})

    assert response.status_code == 302
    assert response["Location"] == f"{FIND}?q=Kepulauan"
    page = national.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/app/kab-kepulauan-seribu/"' in html or "Kepulauan Seribu" in html
    assert 'href="/app/kepri/"' in html
    assert "KPU Kabupaten Kepulauan Anambas" in html
    # Each match says where it is, so that similar names can be told apart.
    assert "KPU Provinsi Kepulauan Riau" in html
    assert 'name="q"' in html and 'value="Kepulauan"' in html


def test_no_match_says_so_clearly_and_offers_to_search_again(provincial):
    response = provincial.post(SWITCH, {"q": "Atlantis", "office": "jateng"})

    assert response["Location"] == f"{FIND}?q=Atlantis"
    page = provincial.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tidak ada kantor yang dapat Anda buka dengan nama “Atlantis”." in html
    assert 'name="q"' in html


def test_an_office_out_of_reach_is_not_offered(client, member):
    client.force_login(member("33.20", "operator"))
    response = client.post(SWITCH, {"q": "Semarang", "office": "kab-jepara"})
    page = client.get(response["Location"]).content.decode()
    assert "Tidak ada kantor yang dapat Anda buka" in page
    assert "kota-semarang" not in page


def test_nothing_typed_nor_chosen_is_a_message_not_a_404(provincial):
    response = provincial.post(SWITCH, {"q": "  "}, HTTP_REFERER="http://testserver/app/jateng/content/")

    assert response.status_code == 302
    assert response["Location"] == "/app/jateng/content/"
    page = provincial.get(response["Location"]).content.decode()
    assert "Ketik nama kantor atau pilih dari daftar." in page


def test_an_unknown_slug_is_a_message_not_a_404(provincial):
    response = provincial.post(SWITCH, {"office": "tidak-ada"})
    assert response.status_code == 302


def test_the_find_page_without_a_query_asks_for_one(provincial):
    page = provincial.get(FIND)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>" in html and 'name="q"' in html
    # The shell keeps the office the person works in.
    assert 'href="/app/jateng/content/"' in html
