"""Vaccine products: the codes of the EU DCC value set ``vaccines-covid-19-names`` (2022-11-30).

Each product carries its display name, the system its code belongs to, whether the value set
still lists it as active, and the number of doses of its primary series (from the product's
labelling: one for Jcovden, Convidecia and Sputnik Light; three for Abdala; one for products
authorised only as a booster, such as VidPrevtyn Beta and Bimervax). Deprecated codes are
still accepted, because old records carry them. Any other code is an ``unknown-product``.
"""

from __future__ import annotations

from dataclasses import dataclass

from jointcheck.errors import RegistryError

EU_REGISTER = "https://ec.europa.eu/health/documents/community-register/html/"
TEMP_NAMES = "http://ec.europa.eu/temp/vaccineproductname"


@dataclass(frozen=True, slots=True)
class Product:
    """A vaccine medicinal product of the value set."""

    code: str
    name: str
    primary_doses: int
    system: str = TEMP_NAMES
    active: bool = True


def _eu(code: str, name: str, doses: int) -> Product:
    return Product(code, name, doses, EU_REGISTER)


PRODUCTS: dict[str, Product] = {p.code: p for p in (
    _eu("EU/1/20/1528", "Comirnaty", 2),
    _eu("EU/1/20/1507", "Spikevax", 2),
    _eu("EU/1/21/1529", "Vaxzevria", 2),
    _eu("EU/1/20/1525", "Jcovden", 1),
    _eu("EU/1/21/1618", "Nuvaxovid", 2),
    _eu("EU/1/21/1624", "COVID-19 Vaccine Valneva", 2),
    _eu("EU/1/21/1580", "VidPrevtyn Beta", 1),
    _eu("EU/1/22/1709", "Bimervax", 1),
    Product("CVnCoV", "CVnCoV", 2),
    Product("NVX-CoV2373", "NVX-CoV2373", 2, active=False),
    Product("Sputnik-V", "Sputnik-V", 2),
    Product("Convidecia", "Convidecia", 1),
    Product("EpiVacCorona", "EpiVacCorona", 2),
    Product("BBIBP-CorV", "BBIBP-CorV", 2),
    Product("Inactivated-SARS-CoV-2-Vero-Cell", "Inactivated SARS-CoV-2 (Vero Cell)", 2,
            active=False),
    Product("CoronaVac", "CoronaVac", 2),
    Product("Covaxin", "Covaxin", 2),
    Product("Covishield", "Covishield", 2),
    Product("Covid-19-recombinant", "Covid-19 (recombinant)", 2),
    Product("R-COVI", "R-COVI", 2),
    Product("CoviVac", "CoviVac", 2),
    Product("Sputnik-Light", "Sputnik Light", 1),
    Product("Hayat-Vax", "Hayat-Vax", 2),
    Product("Abdala", "Abdala", 3),
    Product("WIBP-CorV", "WIBP-CorV", 2),
    Product("MVC-COV1901", "MVC COVID-19 vaccine", 2),
    Product("Covovax", "Covovax", 2),
    Product("Vidprevtyn", "Vidprevtyn", 1, active=False),
    Product("VLA2001", "VLA2001", 2, active=False),
    Product("EpiVacCorona-N", "EpiVacCorona-N", 2),
    Product("Sputnik-M", "Sputnik M", 2),
    Product("Covid-19-adsorvida-inativada", "Vacina adsorvida covid-19 (inativada)", 2),
    Product("NVSI-06-08", "NVSI-06-08", 2),
    Product("YS-SC2-010", "YS-SC2-010", 2),
    Product("SCTV01C", "SCTV01C", 2),
    Product("Covifenz", "Covifenz", 2),
    Product("AZD2816", "AZD2816", 2),
    Product("Soberana-02", "Soberana 02", 2),
    Product("Soberana-Plus", "Soberana Plus", 1),
)}


def product(code: str) -> Product:
    """Return the product with ``code``; raise ``unknown-product`` for any other code."""
    found = PRODUCTS.get(code.strip())
    if found is None:
        raise RegistryError("unknown-product", f"vaccine product {code!r} is not in the DCC "
                            "value set vaccines-covid-19-names")
    return found
