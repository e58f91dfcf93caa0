"""Finding the official commune that a text names (an import's « commune » cell, an
event's former free text): its exact name, whatever the case, accents or hyphens,
among the territory's communes; or its INSEE code; or « name (postal code) » for
two communes of the same name."""

import difflib
import re
from collections import defaultdict

from geography.models import Commune, name_key

INSEE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
WITH_POSTAL_CODE = re.compile(r"(?P<name>.*?)\s*\(\s*(?P<postal_code>[0-9]{5})\s*\)")


class CommuneError(Exception):
    """A text that names no commune, or several, and why (in French)."""


class CommuneMatcher:
    """The territory's communes, read once (1,500 rows), by name and by code."""

    def __init__(self):
        self.by_code = {}
        self.by_key = defaultdict(list)
        for commune in Commune.objects.in_territory():
            self.by_code[commune.code] = commune
            self.by_key[commune.search_key].append(commune)

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
                f"Code INSEE inconnu : « {text} » n'est le code d'aucune commune du Nord ou "
                "du Pas-de-Calais. Écrivez plutôt le nom de la commune, ou « nom (code "
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
            f"Commune inconnue : « {text} » n'est le nom d'aucune commune du Nord ou du "
            "Pas-de-Calais. Écrivez son nom officiel (par exemple « Saint-Omer »), son code "
            "INSEE, ou « nom (code postal) »."
        )
        close = difflib.get_close_matches(name_key(text), self.by_key, n=1, cutoff=0.85)
        if close:
            message += f" Vouliez-vous dire « {self.by_key[close[0]][0].name} » ?"
        return message
