"""The departments of France (metropolitan and overseas) and their regions, as
INSEE's Code officiel géographique names them (the package's departements.json and
regions.json, @etalab/decoupage-administratif 6.0.0): the communes' file gives only
a department's code. Regions last changed in 2016; a new vintage of the file that
brings a department missing here fails tests/geography/test_communes.py."""

# code → (name, « of » form that French puts after « commune » — « du Nord »,
# « de l'Aisne », « de La Réunion » —, region)
DEPARTMENTS = {
    "01": ("Ain", "de l'Ain", "Auvergne-Rhône-Alpes"),
    "02": ("Aisne", "de l'Aisne", "Hauts-de-France"),
    "03": ("Allier", "de l'Allier", "Auvergne-Rhône-Alpes"),
    "04": ("Alpes-de-Haute-Provence", "des Alpes-de-Haute-Provence", "Provence-Alpes-Côte d'Azur"),
    "05": ("Hautes-Alpes", "des Hautes-Alpes", "Provence-Alpes-Côte d'Azur"),
    "06": ("Alpes-Maritimes", "des Alpes-Maritimes", "Provence-Alpes-Côte d'Azur"),
    "07": ("Ardèche", "de l'Ardèche", "Auvergne-Rhône-Alpes"),
    "08": ("Ardennes", "des Ardennes", "Grand Est"),
    "09": ("Ariège", "de l'Ariège", "Occitanie"),
    "10": ("Aube", "de l'Aube", "Grand Est"),
    "11": ("Aude", "de l'Aude", "Occitanie"),
    "12": ("Aveyron", "de l'Aveyron", "Occitanie"),
    "13": ("Bouches-du-Rhône", "des Bouches-du-Rhône", "Provence-Alpes-Côte d'Azur"),
    "14": ("Calvados", "du Calvados", "Normandie"),
    "15": ("Cantal", "du Cantal", "Auvergne-Rhône-Alpes"),
    "16": ("Charente", "de la Charente", "Nouvelle-Aquitaine"),
    "17": ("Charente-Maritime", "de la Charente-Maritime", "Nouvelle-Aquitaine"),
    "18": ("Cher", "du Cher", "Centre-Val de Loire"),
    "19": ("Corrèze", "de la Corrèze", "Nouvelle-Aquitaine"),
    "21": ("Côte-d'Or", "de la Côte-d'Or", "Bourgogne-Franche-Comté"),
    "22": ("Côtes-d'Armor", "des Côtes-d'Armor", "Bretagne"),
    "23": ("Creuse", "de la Creuse", "Nouvelle-Aquitaine"),
    "24": ("Dordogne", "de la Dordogne", "Nouvelle-Aquitaine"),
    "25": ("Doubs", "du Doubs", "Bourgogne-Franche-Comté"),
    "26": ("Drôme", "de la Drôme", "Auvergne-Rhône-Alpes"),
    "27": ("Eure", "de l'Eure", "Normandie"),
    "28": ("Eure-et-Loir", "d'Eure-et-Loir", "Centre-Val de Loire"),
    "29": ("Finistère", "du Finistère", "Bretagne"),
    "2A": ("Corse-du-Sud", "de la Corse-du-Sud", "Corse"),
    "2B": ("Haute-Corse", "de la Haute-Corse", "Corse"),
    "30": ("Gard", "du Gard", "Occitanie"),
    "31": ("Haute-Garonne", "de la Haute-Garonne", "Occitanie"),
    "32": ("Gers", "du Gers", "Occitanie"),
    "33": ("Gironde", "de la Gironde", "Nouvelle-Aquitaine"),
    "34": ("Hérault", "de l'Hérault", "Occitanie"),
    "35": ("Ille-et-Vilaine", "d'Ille-et-Vilaine", "Bretagne"),
    "36": ("Indre", "de l'Indre", "Centre-Val de Loire"),
    "37": ("Indre-et-Loire", "d'Indre-et-Loire", "Centre-Val de Loire"),
    "38": ("Isère", "de l'Isère", "Auvergne-Rhône-Alpes"),
    "39": ("Jura", "du Jura", "Bourgogne-Franche-Comté"),
    "40": ("Landes", "des Landes", "Nouvelle-Aquitaine"),
    "41": ("Loir-et-Cher", "du Loir-et-Cher", "Centre-Val de Loire"),
    "42": ("Loire", "de la Loire", "Auvergne-Rhône-Alpes"),
    "43": ("Haute-Loire", "de la Haute-Loire", "Auvergne-Rhône-Alpes"),
    "44": ("Loire-Atlantique", "de la Loire-Atlantique", "Pays de la Loire"),
    "45": ("Loiret", "du Loiret", "Centre-Val de Loire"),
    "46": ("Lot", "du Lot", "Occitanie"),
    "47": ("Lot-et-Garonne", "du Lot-et-Garonne", "Nouvelle-Aquitaine"),
    "48": ("Lozère", "de la Lozère", "Occitanie"),
    "49": ("Maine-et-Loire", "de Maine-et-Loire", "Pays de la Loire"),
    "50": ("Manche", "de la Manche", "Normandie"),
    "51": ("Marne", "de la Marne", "Grand Est"),
    "52": ("Haute-Marne", "de la Haute-Marne", "Grand Est"),
    "53": ("Mayenne", "de la Mayenne", "Pays de la Loire"),
    "54": ("Meurthe-et-Moselle", "de Meurthe-et-Moselle", "Grand Est"),
    "55": ("Meuse", "de la Meuse", "Grand Est"),
    "56": ("Morbihan", "du Morbihan", "Bretagne"),
    "57": ("Moselle", "de la Moselle", "Grand Est"),
    "58": ("Nièvre", "de la Nièvre", "Bourgogne-Franche-Comté"),
    "59": ("Nord", "du Nord", "Hauts-de-France"),
    "60": ("Oise", "de l'Oise", "Hauts-de-France"),
    "61": ("Orne", "de l'Orne", "Normandie"),
    "62": ("Pas-de-Calais", "du Pas-de-Calais", "Hauts-de-France"),
    "63": ("Puy-de-Dôme", "du Puy-de-Dôme", "Auvergne-Rhône-Alpes"),
    "64": ("Pyrénées-Atlantiques", "des Pyrénées-Atlantiques", "Nouvelle-Aquitaine"),
    "65": ("Hautes-Pyrénées", "des Hautes-Pyrénées", "Occitanie"),
    "66": ("Pyrénées-Orientales", "des Pyrénées-Orientales", "Occitanie"),
    "67": ("Bas-Rhin", "du Bas-Rhin", "Grand Est"),
    "68": ("Haut-Rhin", "du Haut-Rhin", "Grand Est"),
    "69": ("Rhône", "du Rhône", "Auvergne-Rhône-Alpes"),
    "70": ("Haute-Saône", "de la Haute-Saône", "Bourgogne-Franche-Comté"),
    "71": ("Saône-et-Loire", "de Saône-et-Loire", "Bourgogne-Franche-Comté"),
    "72": ("Sarthe", "de la Sarthe", "Pays de la Loire"),
    "73": ("Savoie", "de la Savoie", "Auvergne-Rhône-Alpes"),
    "74": ("Haute-Savoie", "de la Haute-Savoie", "Auvergne-Rhône-Alpes"),
    "75": ("Paris", "de Paris", "Île-de-France"),
    "76": ("Seine-Maritime", "de la Seine-Maritime", "Normandie"),
    "77": ("Seine-et-Marne", "de Seine-et-Marne", "Île-de-France"),
    "78": ("Yvelines", "des Yvelines", "Île-de-France"),
    "79": ("Deux-Sèvres", "des Deux-Sèvres", "Nouvelle-Aquitaine"),
    "80": ("Somme", "de la Somme", "Hauts-de-France"),
    "81": ("Tarn", "du Tarn", "Occitanie"),
    "82": ("Tarn-et-Garonne", "du Tarn-et-Garonne", "Occitanie"),
    "83": ("Var", "du Var", "Provence-Alpes-Côte d'Azur"),
    "84": ("Vaucluse", "du Vaucluse", "Provence-Alpes-Côte d'Azur"),
    "85": ("Vendée", "de la Vendée", "Pays de la Loire"),
    "86": ("Vienne", "de la Vienne", "Nouvelle-Aquitaine"),
    "87": ("Haute-Vienne", "de la Haute-Vienne", "Nouvelle-Aquitaine"),
    "88": ("Vosges", "des Vosges", "Grand Est"),
    "89": ("Yonne", "de l'Yonne", "Bourgogne-Franche-Comté"),
    "90": ("Territoire de Belfort", "du Territoire de Belfort", "Bourgogne-Franche-Comté"),
    "91": ("Essonne", "de l'Essonne", "Île-de-France"),
    "92": ("Hauts-de-Seine", "des Hauts-de-Seine", "Île-de-France"),
    "93": ("Seine-Saint-Denis", "de la Seine-Saint-Denis", "Île-de-France"),
    "94": ("Val-de-Marne", "du Val-de-Marne", "Île-de-France"),
    "95": ("Val-d'Oise", "du Val-d'Oise", "Île-de-France"),
    "971": ("Guadeloupe", "de la Guadeloupe", "Guadeloupe"),
    "972": ("Martinique", "de la Martinique", "Martinique"),
    "973": ("Guyane", "de la Guyane", "Guyane"),
    "974": ("La Réunion", "de La Réunion", "La Réunion"),
    "976": ("Mayotte", "de Mayotte", "Mayotte"),
}


def name(code):
    return DEPARTMENTS[code][0] if code in DEPARTMENTS else code


def region(code):
    """The region of a department, "" for a code not in the table."""
    return DEPARTMENTS[code][2] if code in DEPARTMENTS else ""


def of_departments(codes):
    """« du Nord ou du Pas-de-Calais », « de l'Aisne, du Nord ou de la Somme »."""
    forms = [DEPARTMENTS[code][1] if code in DEPARTMENTS else code for code in sorted(codes)]
    if len(forms) < 2:
        return "".join(forms)
    return f"{', '.join(forms[:-1])} ou {forms[-1]}"
