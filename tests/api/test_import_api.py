"""Importing through the API: counts, rejected rows, nothing half-imported, size limits."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from jointcheck.storage.repositories.residents import ResidentRepository
from jointcheck.storage.repositories.vaccinations import VaccinationRepository
from tests.api.conftest import World, error_of

HEADER = "id_number,name,sex,birth_date,phone,address,area"
VACCINATION_HEADER = "id_number,product,dose_number,series_total,date,site,lot"


def upload(client: TestClient, world: World, kind: str, text: str, name: str = "rows.csv",
           user: str = "cdc", **form: str) -> tuple[int, dict]:
    response = client.post(f"/api/import/{kind}", headers=world.headers[user],
                           files={"file": (name, text.encode(), "text/csv")}, data=form)
    return response.status_code, response.json()


def counts(world: World) -> tuple[int, int]:
    with world.db.session() as session:
        return ResidentRepository(session).count(), VaccinationRepository(session).count()


def codes(body: dict) -> list[tuple[int, str]]:
    return [(r["line"], r["code"]) for r in body["rejected"]]


def test_a_good_csv_is_imported_and_again_unchanged(client: TestClient, world: World) -> None:
    text = "\n".join([HEADER, "110101199501010044,赵 六,F,1995-01-01,,,fz.s01.c02",
                      "110101199601010055,钱 七,M,1996-01-01,,,fz.s02"]) + "\n"
    status, body = upload(client, world, "residents", text)
    assert (status, body) == (200, {"imported": 2, "updated": 0, "unchanged": 0,
                                    "rejected": []})
    status, body = upload(client, world, "residents", text)
    assert body == {"imported": 0, "updated": 0, "unchanged": 2, "rejected": []}
    assert counts(world) == (5, 0)
    shots = "\n".join([VACCINATION_HEADER, "110101199501010044,CoronaVac,1,2,2021-05-01,,"])
    status, body = upload(client, world, "vaccinations", shots + "\n")
    assert (status, body["imported"]) == (200, 1)
    assert counts(world) == (5, 1)


def test_malformed_csv_is_rejected_and_nothing_half_imported(client: TestClient,
                                                             world: World) -> None:
    status, body = upload(client, world, "residents", "name,area\n张 三,fz.s01\n")
    assert status == 200 and codes(body) == [(1, "bad-header")] and body["imported"] == 0
    rows = [VACCINATION_HEADER,
            "110101199003070011,CoronaVac,1,2,2021-05-01,,",
            "110101199003070011,CoronaVac,2,2,not-a-date,,",
            "110101198501020022,BBIBP-CorV,1,2,2021-06-01,,",
            "110101198501020022,NoSuchVaccine,2,2,2021-07-01,,",
            "110101200801020033,CoronaVac,1,2,2021-05-01,\"unclosed,",
            ]
    status, body = upload(client, world, "vaccinations", "\n".join(rows) + "\n")
    assert status == 200 and body["imported"] == 0
    assert (3, "bad-date") in codes(body) and (5, "unknown-product") in codes(body)
    assert {code for _, code in codes(body)} >= {"person-rejected"}
    assert counts(world) == (3, 0)


def test_duplicate_people_and_an_unknown_area(client: TestClient, world: World) -> None:
    text = "\n".join([HEADER, "110101199701010066,孙 八,M,1997-01-01,,,fz.s01",
                      "110101199701010066,孙 八,M,1997-01-01,,,fz.s01",
                      "110101199801010077,周 九,F,1998-01-01,,,fz.s07"]) + "\n"
    status, body = upload(client, world, "residents", text)
    assert status == 200 and body["imported"] == 0
    assert codes(body) == [(2, "person-rejected"), (3, "duplicate-person"), (4, "unknown-area")]
    assert counts(world) == (3, 0)


def test_malformed_fhir(client: TestClient, world: World) -> None:
    status, body = upload(client, world, "fhir", '{"resourceType": "Bundle", "entry": [',
                          name="bundle.json")
    assert status == 200 and codes(body)[0][1] == "bad-json" and body["imported"] == 0
    patient = {"resourceType": "Patient", "id": "a", "identifier": [{"value": "11010119900101"}],
               "name": [{"text": "吴 十"}], "gender": "female", "birthDate": "1990-01-01",
               "extension": [{"url": "urn:jointcheck:fhir:area", "valueCode": "fz.s01"}]}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": patient}]}
    status, body = upload(client, world, "fhir", json.dumps(bundle), name="bundle.json")
    assert (status, body["imported"], body["rejected"]) == (200, 1, [])
    status, body = upload(client, world, "residents", json.dumps(bundle), name="b.txt",
                          format="xml")
    assert (status, body["error"]["code"]) == (400, "bad-format")


def test_an_oversized_upload_is_refused_with_413(client: TestClient, world: World) -> None:
    line = "110101199501010044,赵 六,F,1995-01-01,,,fz.s01.c02\n"
    text = HEADER + "\n" + line * 400  # well over the test limit of 8 KiB
    status, body = upload(client, world, "residents", text)
    assert (status, body["error"]["code"]) == (413, "upload-too-large")
    assert counts(world) == (3, 0)

    def chunks() -> object:
        yield b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
        for _ in range(2000):  # past the limit and the multipart allowance
            yield line.encode()

    streamed = client.post("/api/import/residents", headers=world.headers["cdc"] | {
        "Content-Type": "multipart/form-data; boundary=x"}, content=chunks())
    assert error_of(streamed) == (413, "upload-too-large")
    declared = client.post("/api/import/residents", headers=world.headers["cdc"] | {
        "Content-Type": "multipart/form-data; boundary=x"}, content=b"x" * 100_000)
    assert error_of(declared) == (413, "upload-too-large")
    assert counts(world) == (3, 0)


def test_importing_needs_the_import_permission_and_a_token(client: TestClient,
                                                           world: World) -> None:
    text = HEADER + "\n110101199501010044,赵 六,F,1995-01-01,,,fz.s01.c02\n"
    for user in ("officer1", "grid1", "mall", "zhang"):
        status, body = upload(client, world, "residents", text, user=user)
        assert (status, body["error"]["code"]) == (403, "role-not-allowed")
    anonymous = client.post("/api/import/residents",
                            files={"file": ("r.csv", text.encode(), "text/csv")})
    assert error_of(anonymous) == (401, "token-missing")
    unknown_kind = client.post("/api/import/areas", headers=world.headers["cdc"],
                               files={"file": ("r.csv", text.encode(), "text/csv")})
    assert error_of(unknown_kind) == (422, "bad-request")
    no_file = client.post("/api/import/residents", headers=world.headers["cdc"])
    assert error_of(no_file) == (422, "bad-request")
    assert counts(world) == (3, 0)
