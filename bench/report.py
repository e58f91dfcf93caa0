"""Writes docs/benchmarks.md from the results of bench/run.py."""

import os
import platform
import subprocess

from bench.env import TERRITORIES, db_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATH = os.path.join(
    ROOT,
    "docs",
    "benchmarks.md" if TERRITORIES == 1 else f"benchmarks-{TERRITORIES}-territoires.md",
)
ANALYSIS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "analysis.md")


def _shell(command):
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def machine():
    return {
        "nproc": _shell("nproc"),
        "free": _shell("free -h"),
        "cpu": _shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "postgres": _shell("psql -h 127.0.0.1 -U postgres -Atc 'show server_version'"),
        "python": platform.python_version(),
    }


def _speed(sizes):
    """The machine's speed at each size's measurement: durations of two reports
    compare only once divided by it."""
    # Timed before and after the measures (the first such reports timed it once).
    loops = [
        (e, r["reference_loop_s"])
        for e, r in sizes.items()
        if isinstance(r.get("reference_loop_s"), list)
    ]
    if not loops:
        return []
    measured = " ; ".join(
        f"{_seconds(before)} s avant les mesures à {n(int(e))} actions, {_seconds(after)} s après"
        for e, (before, after) in loops
    )
    return [
        "- Vitesse de la machine : une boucle Python de référence (20 millions d'additions,"
        f" `bench.run.reference_loop`) y prend {measured} ; les passages"
        " antérieurs au 04/12/2026 ne la mesuraient pas. Ce temps varie d'une machine à"
        " l'autre, et sur une machine partagée d'une heure à l'autre : comparer les"
        " durées de deux passages rapportées à ce temps."
    ]


def _seconds(value):
    return str(value).replace(".", ",")


def n(value):
    return f"{value:,}".replace(",", "\u202f")


def verdict(ok):
    return "✅ atteint" if ok else "❌ manqué"


def _row(*cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _cached_pages(loads):
    """Section 5's second table: each cached page's throughput against /sante/'s."""
    measured = [(size, lt["cached_pages"]) for size, lt in loads if "cached_pages" in lt]
    if not measured:
        return []
    first = measured[0][1]
    paths = list(first["pages"])
    health, pages = paths[0], paths[1:]
    out = [
        "",
        f"Pages en cache contre `{health}` (la réponse la plus simple du même serveur :"
        " une requête SQL et une écriture Redis), mêmes workers, même cache :"
        f" {first['rounds']} tours de `wrk` de {first['duration_s']} s par adresse,"
        f" chaque page juste après `{health}` ; médiane des requêtes/s et médiane des"
        f" rapports à `{health}` de chaque tour.",
        "",
        _row("Actions", *(f"`{path}`" for path in paths), "Objectif : ≥ 0,8 fois `/sante/`"),
        "|---|" + "---|" * (len(paths) + 1),
    ]
    for size, cached in measured:
        figures = cached["pages"]
        cells = [f"{figures[health]['requests_per_s']:.0f} req/s"]
        cells += [
            f"{figures[path]['requests_per_s']:.0f} req/s"
            f" ({figures[path]['ratio']:.2f} fois)".replace(".", ",")
            for path in pages
        ]
        errors = sum(figures[path]["errors"] for path in paths)
        ok = errors == 0 and min(figures[path]["ratio"] for path in pages) >= 0.8
        note = "" if errors == 0 else f" ({errors} erreurs)"
        out.append(_row(n(int(size)), *cells, verdict(ok) + note))
    return out


def _get(result, *path):
    """The value at this path of a size's results, or None if it was not measured."""
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def _ms(value):
    if value is None:
        return "—"
    return f"{value / 1000:.2f} s".replace(".", ",") if value >= 1000 else f"{value:.0f} ms"


def _times(value):
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _rate(value):
    return "—" if value is None else f"{n(round(value))} /s"


def _seed_rate(r):
    seconds = _get(r, "seed_demo_s")
    return r["events"] / seconds if seconds else None


def _cached_ratio(r):
    pages = _get(r, "load", "cached_pages", "pages")
    if not pages:
        return None
    ratios = [page["ratio"] for page in list(pages.values())[1:]]
    return min(ratios) if ratios else None


# Issue 17's targets: (measure, its value in a size's results, how to show it, the
# target, whether a value meets it, the value measured before, at 1M, independently).
TARGETS = [
    (
        "Tableau de bord sans cache, p50",
        lambda r: _get(r, "dashboard", "uncached", "median_ms"),
        _ms,
        "≤ 60 ms",
        lambda v: v <= 60,
        "238 ms",
    ),
    (
        "Tableau de bord sans cache, p95",
        lambda r: _get(r, "dashboard", "uncached", "p95_ms"),
        _ms,
        "≤ 100 ms",
        lambda v: v <= 100,
        "369 ms",
    ),
    *(
        (
            f"Liste des actions (admin), {label}, p50",
            lambda r, role=role: _get(r, "changelist", role, "median_ms"),
            _ms,
            "≤ 150 ms",
            lambda v: v <= 150,
            before,
        )
        for role, label, before in (
            ("superuser", "superutilisateur", "563 ms"),
            ("staff", "équipe du territoire", "—"),
            ("manager", "responsable", "—"),
            ("partner_25", "partenaire (25 % des actions)", "2 703 ms"),
            ("partner_co", "partenaire co-organisateur (6 %)", "3 814 ms"),
        )
    ),
    (
        "Enregistrement d'une action à deux lignes (admin), p50",
        lambda r: _get(r, "writes", "save", "median_ms"),
        _ms,
        "≤ 100 ms",
        lambda v: v <= 100,
        "473 ms",
    ),
    (
        "Enregistrement d'une action à deux lignes (admin), p95",
        lambda r: _get(r, "writes", "save", "p95_ms"),
        _ms,
        "≤ 200 ms",
        lambda v: v <= 200,
        "878 ms",
    ),
    (
        "« Valider » sur 100 actions",
        lambda r: _get(r, "writes", "validate", "median_ms"),
        _ms,
        "≤ 1 s",
        lambda v: v <= 1000,
        "5,1 s",
    ),
    (
        "Export des actions : première ligne",
        lambda r: _get(r, "export", "ttfb", "median_ms"),
        _ms,
        "≤ 1 s",
        lambda v: v <= 1000,
        "16 s à 2 M",
    ),
    (
        "Export des actions : débit / `COPY` brut",
        lambda r: (
            r["export"]["export_rows_per_s"] / r["export"]["copy_rows_per_s"]
            if _get(r, "export", "copy_rows_per_s")
            else None
        ),
        _times,
        "≥ 0,5",
        lambda v: v >= 0.5,
        "0,25",
    ),
    (
        "Pages en cache / `/sante/` (gunicorn + Redis), la plus lente",
        _cached_ratio,
        _times,
        "≥ 0,8",
        lambda v: v >= 0.8,
        "0,51",
    ),
    (
        "`seed_demo` (COPY), actions par seconde",
        _seed_rate,
        _rate,
        "≥ 50 000 /s",
        lambda v: v >= 50_000,
        "18 100 /s",
    ),
]

# Ten times the events should cost at most this many times the time: flat or
# logarithmic, not linear.
GROWTH_LIMIT = 2


def _territories_ratio(r):
    """The slowest cached page's speed beside the bare view's (median times)."""
    bare = _get(r, "territories", "bare", "median_ms")
    cached = [
        _get(r, "territories", f"{page}_cached", "median_ms")
        for page in ("territory", "list", "national")
    ]
    if not bare or None in cached:
        return None
    return bare / max(cached)


# Issue 18's targets, at 200 territories (same columns as TARGETS).
TARGETS_18 = [
    (
        "Tableau de bord d'un territoire sans cache, p95",
        lambda r: _get(r, "territories", "territory_uncached", "p95_ms"),
        _ms,
        "≤ 100 ms",
        lambda v: v <= 100,
        "—",
    ),
    (
        "`/national/` sans cache, p95",
        lambda r: _get(r, "territories", "national_uncached", "p95_ms"),
        _ms,
        "≤ 300 ms",
        lambda v: v <= 300,
        "—",
    ),
    (
        "Pages en cache / vue nue (même processus), la plus lente",
        _territories_ratio,
        _times,
        "≥ 0,5",
        lambda v: v >= 0.5,
        "—",
    ),
    (
        "Liste des actions d'un territoire (admin, équipe), p50",
        lambda r: _get(r, "territories", "changelist", "median_ms"),
        _ms,
        "≤ 200 ms",
        lambda v: v <= 200,
        "—",
    ),
    (
        "Enregistrement d'une action à deux lignes (admin), p50",
        lambda r: _get(r, "writes", "save", "median_ms"),
        _ms,
        "≤ 150 ms",
        lambda v: v <= 150,
        "—",
    ),
    (
        "`seed_demo` (COPY), actions par seconde",
        _seed_rate,
        _rate,
        "≥ 50 000 /s",
        lambda v: v >= 50_000,
        "—",
    ),
]


def _targets(sizes):
    """Issue 17's summary (one plan), or 18's (several territories): each measure at
    1M and 10M, its growth, its target."""
    small, large = sizes.get("1000000"), sizes.get("10000000")
    if small is None and large is None:
        return []
    if TERRITORIES == 1:
        return _target_table(
            "## Objectifs de l'issue 17 (1 000 000 et 10 000 000 d'actions)", TARGETS, small, large
        )
    # Issue 18 sets its targets « at 200 territories and 10,000,000 events »: the
    # 1M column shows how each grows, the verdict reads 10M where it was measured.
    return _target_table(
        f"## Objectifs de l'issue 18 ({TERRITORIES} territoires)",
        TARGETS_18,
        small,
        large,
        judged_at_large=True,
    )


def _target_table(title, targets, small, large, judged_at_large=False):
    method = (
        "« Avant » : mesures indépendantes citées par l'issue (PostgreSQL 15, 2 cœurs,"
        " 1 000 000 d'actions ; pour `seed_demo`, la mesure d'avant l'issue) ; les autres"
        " colonnes viennent de ce passage de `make bench`."
        f" Croissance : la mesure à 10 M divisée par celle à 1 M (objectif ≤ {GROWTH_LIMIT}"
        " pour un volume dix fois plus grand ; le débit de `seed_demo` et les rapports ne"
        " doivent pas baisser)."
    )
    if judged_at_large:
        method += (
            " Résultat : à l'échelle que l'issue fixe à ses objectifs (10 000 000"
            " d'actions), la colonne 1 M disant comment chaque mesure croît ; à 1 M"
            " seulement quand 10 M n'est pas mesuré."
        )
    out = [
        title,
        "",
        method,
        "",
        _row("Mesure", "Avant (1 M)", "1 M", "10 M", "10 M / 1 M", "Objectif", "Résultat"),
        "|---|---|---|---|---|---|---|",
    ]
    for label, value, show, target, meets, before in targets:
        values = [value(r) if r is not None else None for r in (small, large)]
        measured = [v for v in values if v is not None]
        if judged_at_large and values[1] is not None:
            measured = [values[1]]
        growth = values[1] / values[0] if None not in values and values[0] else None
        if not measured:
            result = "non mesuré"
        else:
            ok = all(meets(v) for v in measured)
            if growth is not None and show is _ms:
                ok = ok and growth <= GROWTH_LIMIT
            result = verdict(ok) + ("" if values[1] is not None else " (1 M seulement)")
        out.append(
            _row(
                label,
                before,
                show(values[0]),
                show(values[1]),
                "—" if growth is None else f"{growth:.2f} fois".replace(".", ","),
                target,
                result,
            )
        )
    return [*out, ""]


def _territories_section(sizes):
    measured = [
        (size, r["territories"])
        for size, r in sizes.items()
        if (_get(r, "territories", "territories") or 0) > 1
    ]
    if not measured:
        return []
    out = [
        "## 4 bis. Plusieurs territoires : un territoire, la liste `/`, `/national/`",
        "",
        "Temps serveur (client de test de Django), médiane et p95 ; « sans cache » vide le"
        " cache avant chaque requête. Liste de l'administration : un compte de l'équipe du"
        " territoire mesuré (de taille médiane).",
        "",
        _row(
            "Actions",
            "Territoires",
            "Territoire (sans cache)",
            "`/` (sans cache)",
            "`/national/` (sans cache)",
            "En cache (territoire, `/`, national)",
            "Vue nue",
            "Liste admin",
            "Requêtes (territoire, `/`, national)",
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, t in measured:

        def both(name, t=t):
            return f"{t[name]['median_ms']} / {t[name]['p95_ms']} ms"

        out.append(
            _row(
                n(int(size)),
                str(t["territories"]),
                both("territory_uncached"),
                both("list_uncached"),
                both("national_uncached"),
                ", ".join(
                    f"{t[f'{page}_cached']['median_ms']} ms"
                    for page in ("territory", "list", "national")
                ),
                f"{t['bare']['median_ms']} ms",
                both("changelist"),
                ", ".join(str(t["queries"][page]) for page in ("territory", "list", "national")),
            )
        )
    return [*out, ""]


def write(results):
    sizes = dict(sorted(results["sizes"].items(), key=lambda item: int(item[0])))
    # One line per command: a run measures its sizes one after the other.
    runs = {}
    for r in sorted(sizes.values(), key=lambda r: r["measured_at"]):
        runs.setdefault(r["command"], []).append(r["measured_at"])
    info = machine()
    out = [
        "# Mesures de performance (issues 7, 17 et 18)",
        "",
        "Fichier écrit par `make bench` (`bench/run.py`) : ne pas le modifier à la main, sauf",
        "la section « Analyse », reprise de `bench/analysis.md`.",
        "",
        *[
            f"- Mesuré le {times[0]}"
            + (f" (jusqu'à {times[-1][11:]})" if len(times) > 1 else "")
            + f" par `{command}` (`make bench`)"
            for command, times in runs.items()
        ],
        f"- Machine : {info['nproc']} cœurs ({info['cpu']}), PostgreSQL {info['postgres']},"
        f" Python {info['python']} ; machine partagée avec d'autres travaux pendant la mesure",
        *_speed(sizes),
        "",
        "```",
        info["free"],
        "```",
        "",
        "Méthode : chaque mesure est la médiane de plusieurs passages, chacun alterné avec",
        "son plancher dans le même processus ; ce sont les **rapports** au plancher qui",
        "comptent, les durées absolues varient avec la charge de la machine. Réglages de",
        "production (`DEBUG=false`), PostgreSQL local, client de test de Django en",
        "processus (cache en mémoire locale) sauf pour le test de charge (gunicorn + Redis).",
        "Données : `seed_demo --events N --seed 1 --days 3650` (dix ans d'actions validées).",
        "",
        *_targets(sizes),
    ]

    out += ["## 1. Tableau de bord `/` (temps serveur)", ""]
    out += [
        "Plancher du framework : une vue qui renvoie une page fixe par les mêmes middlewares ;"
        " plancher de la base : les requêtes SQL du tableau de bord seules, rejouées.",
        "",
        _row(
            "Actions",
            "Requêtes SQL",
            "Vue nue (méd.)",
            "En cache (méd.)",
            "Débit en cache / vue nue",
            "Sans cache (méd.)",
            "Sans cache (p95)",
            "SQL seul (méd.)",
            "Sans cache / SQL seul",
            "Passages",
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    measured = {size: r for size, r in sizes.items() if "timeout_s" not in r["dashboard"]}
    for size, r in sizes.items():
        d = r["dashboard"]
        if "timeout_s" in d:
            out.append(
                _row(
                    n(int(size)),
                    "?",
                    "",
                    "",
                    "",
                    f"> {d['timeout_s']} s (abandonné)",
                    "",
                    "",
                    "",
                    0,
                )
            )
            continue
        out.append(
            _row(
                n(int(size)),
                d["queries"],
                f"{d['bare']['median_ms']} ms",
                f"{d['cached']['median_ms']} ms",
                f"{d['bare']['median_ms'] / d['cached']['median_ms']:.2f}",
                f"{d['uncached']['median_ms']} ms",
                f"{d['uncached']['p95_ms']} ms",
                f"{d['sql_floor']['median_ms']} ms",
                f"{d['uncached']['median_ms'] / d['sql_floor']['median_ms']:.2f} x",
                d["uncached"]["n"],
            )
        )
    slowest = [
        (size, r["dashboard"]["slowest_queries"][0])
        for size, r in measured.items()
        if r["dashboard"].get("slowest_queries")
    ]
    if slowest:
        out += ["", "Requête la plus lente du tableau de bord (médiane, rejouée seule) :", ""]
        out += [
            f"- {n(int(s))} actions : {q['median_ms']} ms, `{q['sql'][:90]}…`" for s, q in slowest
        ]
    biggest = max(sizes, key=int)
    d = sizes[biggest]["dashboard"]
    counts = {n(int(size)): r["dashboard"]["queries"] for size, r in measured.items()}
    same = len(set(counts.values())) == 1
    counted = ", ".join(f"{q} à {size}" for size, q in counts.items())
    if "timeout_s" in d:
        gave_up = f"page non calculée en {d['timeout_s']} s"
        cached = (f"non mesurable ({gave_up})", verdict(False))
        uncached = (f"> {d['timeout_s']} s ({gave_up})", verdict(False))
        queries = (f"{counted} ; non mesurable à {n(int(biggest))}", verdict(False))
    else:
        ratio = d["bare"]["median_ms"] / d["cached"]["median_ms"]
        cached = (f"{ratio:.2f}", verdict(ratio >= 0.5))
        uncached = (f"{d['uncached']['p95_ms']} ms", verdict(d["uncached"]["p95_ms"] < 250))
        queries = (counted, verdict(same))
    out += [
        "",
        f"Objectifs (à 1 000 000 actions ; mesurés ici au plus grand volume, {n(int(biggest))}) :",
        "",
        _row("Objectif", "Mesure", "Résultat"),
        "|---|---|---|",
        _row("débit en cache ≥ ½ de celui de la vue nue", *cached),
        _row("p95 sans cache < 250 ms", *uncached),
        _row("nombre de requêtes identique à tous les volumes", *queries),
        "",
    ]

    out += ["## 2. Export `/exports/evenements.csv?statut=toutes`", ""]
    out += [
        "Sur PostgreSQL, l'export lit les actions par paquets dans l'ordre de l'index"
        " (date, numéro), un `COPY (SELECT …) TO STDOUT` par paquet (formatage fait en"
        " SQL), tous dans le même instantané. Plancher : un seul `COPY … WITH CSV` des"
        " mêmes lignes, triées comme l'export (ce qu'était l'export avant l'issue 17), lu"
        " par psycopg sans rien en faire. Les requêtes croissent avec le volume : deux par"
        " paquet de 16 000 actions au plus. Au-delà d'un million d'actions, un seul passage"
        " (il dure des minutes) ; pas de classeur dès qu'il compterait plus de lignes"
        " qu'une feuille n'en contient (l'export le refuse). Mémoire : croissance du pic de RSS"
        " (`ru_maxrss`) d'un processus neuf pendant l'export complet, après un petit export"
        " d'échauffement.",
        "",
        _row(
            "Actions",
            "Lignes",
            "Export (méd.)",
            "Lignes/s",
            "COPY (méd.)",
            "Lignes/s COPY",
            "Export / COPY",
            "1er octet de données",
            "Pic mémoire",
            "Requêtes",
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, r in sizes.items():
        e = r["export"]
        out.append(
            _row(
                n(int(size)),
                n(e["rows"]),
                f"{e['export']['median_ms'] / 1000:.2f} s",
                n(e["export_rows_per_s"]),
                f"{e['copy']['median_ms'] / 1000:.2f} s",
                n(e["copy_rows_per_s"]),
                f"{e['export_rows_per_s'] / e['copy_rows_per_s']:.2f}",
                f"{e['ttfb']['median_ms']} ms",
                f"+{r['export_memory']['peak_growth_mb']:.1f} Mo",
                e["queries"],
            )
        )
    e, mem = sizes[biggest]["export"], sizes[biggest]["export_memory"]
    share = e["export_rows_per_s"] / e["copy_rows_per_s"]
    out += [
        "",
        _row("Objectif", "Mesure", "Résultat"),
        "|---|---|---|",
        _row(
            f"débit ≥ ½ de COPY ({n(int(biggest))} actions)", f"{share:.2f}", verdict(share >= 0.5)
        ),
        _row(
            f"pic mémoire < 100 Mo (à {n(int(biggest))} actions)",
            f"+{mem['peak_growth_mb']:.1f} Mo",
            verdict(mem["peak_growth_mb"] < 100),
        ),
        _row(
            f"première ligne en moins d'1 s (à {n(int(biggest))} actions)",
            f"{e['ttfb']['median_ms']} ms",
            verdict(e["ttfb"]["median_ms"] < 1000),
        ),
        "",
    ]

    out += ["## 2 bis. Exports agrégés : compteurs, partenaires, données ouvertes", ""]
    out += [
        "Pour les gestionnaires, toutes les actions (`statut=toutes`) : compteurs par mois,"
        " initiative et public ; partenaires par année. En accès public, cache vidé avant"
        " chaque passage : les données ouvertes (actions validées par mois, initiative et"
        " public) et les chiffres d'un graphique du tableau de bord. Plancher : `COPY` des"
        " requêtes de sommes de l'export. Ces fichiers ont peu de lignes : c'est leur temps"
        " total qui compte.",
        "",
        _row("Actions", "Export", "Lignes", "Temps (méd.)", "COPY des sommes (méd.)", "Requêtes"),
        "|---|---|---|---|---|---|",
    ]
    for size, r in sizes.items():
        for name, a in r.get("aggregate_exports", {}).items():
            out.append(
                _row(
                    n(int(size)),
                    f"`{a['url']}`" if size == biggest else name,
                    n(a["rows"]),
                    f"{a['export']['median_ms']} ms",
                    f"{a['copy']['median_ms']} ms",
                    a["queries"],
                )
            )
    out.append("")

    out += _xlsx_section(sizes)
    reports = [(s, r["annual_report"]) for s, r in sizes.items() if r.get("annual_report")]
    out += ["## 2 ter. Bilan annuel (page et PDF)", ""]
    out += [
        "`/exports/bilan/<année>/`, compte responsable, pour l'année qui compte le plus"
        " d'actions validées (jusqu'à 20 000) : la page, puis le PDF (WeasyPrint) avec la"
        " liste des actions en annexe.",
        "",
        _row("Actions", "Année (actions)", "Page (méd.)", "PDF (méd.)", "Pages", "Requêtes"),
        "|---|---|---|---|---|---|",
    ]
    for size, a in reports:
        out.append(
            _row(
                n(int(size)),
                f"{a['year']} ({n(a['events'])})",
                f"{a['html']['median_ms']} ms",
                f"{a['pdf']['median_ms'] / 1000:.1f} s",
                a["pages"],
                a["queries"],
            )
        )
    tenk = [a for _, a in reports if a["events"] >= 10_000]
    if tenk:
        pdf = tenk[0]["pdf"]["median_ms"] / 1000
        out += [
            "",
            _row("Objectif", "Mesure", "Résultat"),
            "|---|---|---|",
            _row("PDF < 10 s pour une année de 10 000 actions", f"{pdf:.1f} s", verdict(pdf < 10)),
        ]
    out.append("")

    out += ["## 3. Liste des actions dans l'administration", ""]
    out += [
        "`/admin/indicators/awarenessevent/`, superutilisateur, première page.",
        "",
        _row("Actions", "Liste (méd.)", "Liste (p95)", "Vue nue (méd.)", "Requêtes"),
        "|---|---|---|---|---|",
    ]
    for size, r in sizes.items():
        c = r["changelist"]
        out.append(
            _row(
                n(int(size)),
                f"{c['changelist']['median_ms']} ms",
                f"{c['changelist']['p95_ms']} ms",
                f"{c['bare']['median_ms']} ms",
                c["queries"],
            )
        )
    roles = {
        "superuser": "superutilisateur",
        "staff": "équipe du territoire",
        "manager": "responsable",
        "partner_25": "partenaire (25 % des actions)",
        "partner_co": "partenaire co-organisateur (6 %)",
    }
    by_role = [
        (size, r["changelist"]) for size, r in sizes.items() if "partner_25" in r["changelist"]
    ]
    if by_role:
        out += [
            "",
            "Médiane (p95) par rôle ; objectif ≤ 150 ms pour chacun.",
            "",
            _row("Actions", *roles.values()),
            "|---|" + "---|" * len(roles),
        ]
        for size, c in by_role:
            out.append(
                _row(
                    n(int(size)),
                    *(f"{c[role]['median_ms']} ms ({c[role]['p95_ms']} ms)" for role in roles),
                )
            )
    if "100000" in sizes:
        c = sizes["100000"]["changelist"]["changelist"]["median_ms"]
        out += [
            "",
            _row("Objectif", "Mesure", "Résultat"),
            "|---|---|---|",
            _row("< 300 ms à 100 000 actions", f"{c} ms", verdict(c < 300)),
        ]
    out.append("")

    imports = [(s, r["import"]) for s, r in sizes.items() if "import" in r]
    out += ["## 4. Import d'un fichier de 10 000 lignes", ""]
    for size, i in imports:
        total = i["total"]["median_ms"] / 1000
        out += [
            f"CSV de {n(i['rows'])} lignes ({i['bytes'] // 1024} Kio), déposé puis confirmé dans"
            f" l'administration, sur la base de {n(int(size))} actions (annulé ensuite)"
            f" ; médiane de {i['total']['n']} passage(s).",
            "",
            _row("Vérification (aperçu)", "Confirmation", "Total", "Objectif < 60 s"),
            "|---|---|---|---|",
            _row(
                f"{i['check']['median_ms'] / 1000:.1f} s",
                f"{i['confirm']['median_ms'] / 1000:.1f} s",
                f"{total:.1f} s",
                verdict(total < 60),
            ),
            "",
        ]

    out += _territories_section(sizes)
    out += ["## 5. Test de charge (gunicorn, 2 workers de 4 fils, cache Redis)", ""]
    loads = [(s, r["load"]) for s, r in sizes.items() if "load" in r]
    if loads:
        first = loads[0][1]
        out += [
            f"`wrk -t2 -c{first['connections']} -d{first['duration_s']}s` contre `/`, sur"
            " 127.0.0.1:8020 ; wrk tourne sur les mêmes 2 cœurs que gunicorn et PostgreSQL.",
            "",
            _row(
                "Actions",
                "Requêtes/s",
                "p50",
                "p95",
                "p99",
                "Réponses non 2xx",
                "Erreurs de socket",
                "Objectif : 0 erreur",
            ),
            "|---|---|---|---|---|---|---|---|",
        ]
        for size, lt in loads:
            if "skipped" in lt:
                reason = f"❌ non mesurable : {lt['skipped']}"
                out.append(_row(n(int(size)), "", "", "", "", "", "", reason))
                continue
            out.append(
                _row(
                    n(int(size)),
                    lt["requests_per_s"],
                    f"{lt['p50_ms']:.1f} ms",
                    f"{lt['p95_ms']:.1f} ms",
                    f"{lt['p99_ms']:.1f} ms",
                    lt["non2xx"],
                    lt["socket_errors"],
                    verdict(lt["non2xx"] == 0 and lt["socket_errors"] == 0),
                )
            )
        out += _cached_pages(loads)
    else:
        out.append("Non mesuré dans ce passage (`--no-load`).")
    out.append("")

    out += [
        "## Préparation des bases",
        "",
        _row("Actions", "Base", "Remplissage", "Durée du passage"),
        "|---|---|---|---|",
    ]
    for size, r in sizes.items():
        seeded = f"{r['seed_s']:.0f} s" if r.get("seed_s") else "déjà prête"
        out.append(_row(n(int(size)), db_name(int(size)), seeded, f"{r['wall_s']} s"))
    out.append("")

    if os.path.exists(ANALYSIS):
        with open(ANALYSIS) as analysis:
            out += [analysis.read().strip(), ""]
    os.makedirs(os.path.dirname(PATH), exist_ok=True)
    with open(PATH, "w") as doc:
        doc.write("\n".join(out))


def _xlsx_section(sizes):
    """The events export as an Excel workbook (`&format=xlsx`), beside the CSV file."""
    measured = {size: r for size, r in sizes.items() if "xlsx" in r["export"]}
    if not measured:
        return []
    out = ["## 2 ter. Export des actions en classeur Excel (`&format=xlsx`)", ""]
    out += [
        "Les mêmes lignes que le CSV, en classeur : sur PostgreSQL, un `COPY` envoie les"
        " valeurs triées, sans travail sur le texte, et Python en écrit le XML par blocs"
        " de lignes (les noms, communes et libellés en chaînes partagées, écrites une"
        " fois ; intitulés et lieux dans leur cellule), qu'on insère dans le classeur"
        " écrit par xlsxwriter (en-tête, largeurs, filtre, feuille « À propos »),"
        " compressé (zlib, niveau 1) à mesure. Le classeur est écrit en entier dans un"
        " fichier temporaire avant son premier octet. Mémoire : croissance du pic de RSS"
        " d'un processus neuf (le classeur est sur disque, dans le répertoire temporaire).",
        "",
        _row(
            "Actions", "Lignes", "CSV (méd.)", "XLSX (méd.)", "XLSX / CSV", "Taille", "Pic mémoire"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for size, r in measured.items():
        e = r["export"]
        memory = r.get("xlsx_memory")
        out.append(
            _row(
                n(int(size)),
                n(e["rows"]),
                f"{e['export']['median_ms'] / 1000:.2f} s",
                f"{e['xlsx']['median_ms'] / 1000:.2f} s",
                f"{e['xlsx']['median_ms'] / e['export']['median_ms']:.2f}",
                f"{e['xlsx_bytes'] / 1e6:.1f} Mo",
                f"+{memory['peak_growth_mb']:.1f} Mo" if memory else "—",
            )
        )
    biggest = max(measured, key=int)
    e, memory = measured[biggest]["export"], measured[biggest].get("xlsx_memory")
    ratio = e["xlsx"]["median_ms"] / e["export"]["median_ms"]
    out += [
        "",
        _row("Objectif", "Mesure", "Résultat"),
        "|---|---|---|",
        _row(
            f"XLSX ≤ 2 fois le CSV ({n(int(biggest))} actions)", f"{ratio:.2f}", verdict(ratio <= 2)
        ),
    ]
    if memory:
        out.append(
            _row(
                f"pic mémoire < 200 Mo (à {n(int(biggest))} actions)",
                f"+{memory['peak_growth_mb']:.1f} Mo",
                verdict(memory["peak_growth_mb"] < 200),
            )
        )
    return [*out, ""]
