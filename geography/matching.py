"""Finding the official commune that a text names (an import's « commune » cell, an
event's former free text): its exact name, whatever the case, accents or hyphens,
among the territory's communes; or its INSEE code; or « name (postal code) » for
two communes of the same name."""

import difflib
import re
from collections import defaultdict
from functools import cached_property

from geography.departments import of_departments
from geography.models import Commune, name_key

INSEE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
WITH_POSTAL_CODE = re.compile(r"(?P<name>.*?)\s*\(\s*(?P<postal_code>[0-9]{5})\s*\)")


class CommuneError(Exception):
    """A text that names no commune, or several, and why (in French)."""


class CommuneMatcher:
    """The communes of a territory's departments, read once in one query (1,500 rows
    for the Nord and the Pas-de-Calais), by name and by code."""

    def __init__(self, territory):
        self.by_code = {}
        self.by_key = defaultdict(list)
        for commune in Commune.objects.in_departments(territory.departments()):
            self.by_code[commune.code] = commune
            self.by_key[commune.search_key].append(commune)
        self.departments = {commune.department for commune in self.by_code.values()}

    def unique(self, text):
        """The one commune named `text`, or None (unknown or homonyms)."""
        communes = self.by_key.get(name_key(text), ())
        return communes[0] if len(communes) == 1 else None

    def find(self, text, code=None):
        """The commune `text` names; `code` (an INSEE code, such as an export's
        column) settles two communes of the same name. CommuneError says why not."""
        text = " ".join(str(text).split())
        if INSEE_CODE.fullmatch(text):
            if text in self.by_code:
                return self.by_code[text]
            raise CommuneError(
                f"Code INSEE inconnu : « {text} » n'est le code d'aucune commune "
                f"{self._area()}. Écrivez plutôt le nom de la commune, ou « nom (code "
                "postal) »."
            )
        if match := WITH_POSTAL_CODE.fullmatch(text):
            return self._with_postal_code(match["name"], match["postal_code"])
        communes = self.by_key.get(name_key(text), [])
        if len(communes) > 1 and code:
            communes = [commune for commune in communes if commune.code == code] or communes
        if len(communes) == 1:
            return communes[0]
        if communes:
            names = ", ".join(f"« {commune} »" for commune in communes)
            raise CommuneError(
                f"« {text} » désigne plusieurs communes ({names}) : écrivez le nom suivi du "
                f"code postal, par exemple « {communes[0]} »."
            )
        raise CommuneError(self._unknown(text))

    def _with_postal_code(self, name, postal_code):
        communes = self.by_key.get(name_key(name), [])
        found = [c for c in communes if postal_code in c.postal_codes.split()]
        if len(found) == 1:
            return found[0]
        if not communes:
            raise CommuneError(self._unknown(name))
        codes = ", ".join(f"« {commune} »" for commune in communes)
        raise CommuneError(
            f"Aucune commune « {name} » n'a le code postal {postal_code} : écrivez {codes}."
        )

    def _unknown(self, text):
        message = (
            f"Commune inconnue : « {text} » n'est le nom d'aucune commune {self._area()}. "
            f"Écrivez son nom officiel (par exemple « {self._example} »), son code INSEE, "
            "ou « nom (code postal) »."
        )
        close = difflib.get_close_matches(name_key(text), self.by_key, n=1, cutoff=0.85)
        if close:
            message += f" Vouliez-vous dire « {self.by_key[close[0]][0].name} » ?"
        return message

    def _area(self):
        """« du Nord ou du Pas-de-Calais »: where the territory's communes are."""
        return of_departments(self.departments) if self.departments else "du territoire"

    @cached_property
    def _example(self):
        """An official name the territory's staff know: the most populous commune of
        its departments."""
        best = max(self.by_code.values(), key=lambda c: c.population or 0, default=None)
        return best.name if best else "Saint-Omer"
