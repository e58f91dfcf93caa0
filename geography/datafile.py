"""The communes' data file, geography/data/communes.csv: every commune of France's
departments (metropolitan and overseas), written from the npm package
@etalab/decoupage-administratif (`write_communes_file`, run by `make communes`) and
read by `load_communes`.

A CSV rather than the package's JSON: 35,000 lines (2.5 MB) that a refresh changes
line by line, so that its diff shows which communes changed."""

import csv
import json
import re
from pathlib import Path

from geography.models import Commune, name_key

DATA_DIR = Path(__file__).resolve().parent / "data"
PATH = DATA_DIR / "communes.csv"
SOURCE = DATA_DIR / "SOURCE.md"
HEADER = ("code", "nom", "departement", "codes_postaux", "epci_siren", "epci_nom", "population")
# The package's communes.json lists former (« déléguée », « associée ») communes
# and Paris/Lyon/Marseille's districts too: only these are communes today.
CURRENT = "commune-actuelle"
# Departments, metropolitan (« metro ») and overseas (« drom »): the package's
# overseas collectivities (« com »: Polynésie, Nouvelle-Calédonie…) have no EPCI and
# no Territoire d'Industrie.
DEPARTMENT_ZONES = ("metro", "drom")


class DataFileError(Exception):
    """A data file or package that cannot be read, and why (in French)."""


def rows_from_package(package_dir):
    """The CSV's rows for the current communes of every department, from the
    extracted npm package (the folder with package.json and data/), sorted by INSEE
    code; and the package's version."""
    package_dir = Path(package_dir)
    try:
        version = json.loads((package_dir / "package.json").read_text())["version"]
        communes = json.loads((package_dir / "data" / "communes.json").read_text())
        epcis = json.loads((package_dir / "data" / "epci.json").read_text())
    except (OSError, ValueError, KeyError) as error:
        raise DataFileError(
            f"Impossible de lire le paquet @etalab/decoupage-administratif dans "
            f"« {package_dir} » : {error}"
        ) from error
    epci_of = {member["code"]: epci for epci in epcis for member in epci["membres"]}
    rows = []
    for commune in communes:
        if commune.get("type") != CURRENT or commune.get("zone") not in DEPARTMENT_ZONES:
            continue
        epci = epci_of.get(commune["code"], {})
        population = commune.get("population")
        rows.append(
            (
                commune["code"],
                commune["nom"],
                commune["departement"],
                " ".join(commune.get("codesPostaux", ())),
                epci.get("code", ""),
                epci.get("nom", ""),
                "" if population is None else str(population),
            )
        )
    return sorted(rows), version


def write(rows, path=PATH):
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def record_version(version, source=SOURCE):
    """Puts the package's version in SOURCE.md, beside the file it produced."""
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(- Version du paquet : ).*$", rf"\g<1>{version}", text)
    source.write_text(text, encoding="utf-8")


def read(path=PATH, departments=None):
    """The communes of the file (of `departments` only when given), unsaved."""
    departments = set(departments) if departments else None
    try:
        with open(path, newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            header = tuple(next(reader, ()))
            if header != HEADER:
                raise DataFileError(
                    f"« {path} » n'est pas un fichier de communes : sa première ligne doit "
                    f"être {','.join(HEADER)}."
                )
            return [
                _commune(row)
                for row in reader
                if row and (departments is None or row[2] in departments)
            ]
    except OSError as error:
        raise DataFileError(f"Impossible de lire « {path} » : {error}") from error


def _commune(row):
    code, name, department, postal_codes, epci_siren, epci_name, population = row
    return Commune(
        code=code,
        name=name,
        search_key=name_key(name),
        postal_codes=postal_codes,
        department=department,
        epci_siren=epci_siren,
        epci_name=epci_name,
        population=int(population) if population else None,
    )
