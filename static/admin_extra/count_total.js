"use strict";
// The event form's live total: sums the people and the women or girls of the count
// lines (an empty « dont femmes » is unknown, not zero) and shows it under them as
// they are typed, added or removed. A file, not an inline script, for the CSP.
(function () {
  const PREFIX = "counts";
  const numberFormat = new Intl.NumberFormat("fr-FR");

  function counted(count, singular, plural) {
    return numberFormat.format(count) + " " + (count < 2 ? singular : plural);
  }

  function readInt(input) {
    const value = parseInt(input ? input.value : "", 10);
    return Number.isNaN(value) ? null : value;
  }

  function totalText(form) {
    let people = 0;
    let women = 0;
    let unknown = 0;
    const pattern = new RegExp("^" + PREFIX + "-(\\d+)-people$");
    for (const input of form.querySelectorAll("input[name^='" + PREFIX + "-']")) {
      const match = pattern.exec(input.name);
      if (!match) continue;
      const line = PREFIX + "-" + match[1] + "-";
      const deleted = form.elements[line + "DELETE"];
      if (deleted && deleted.checked) continue;
      const linePeople = readInt(input) || 0;
      const lineWomen = readInt(form.elements[line + "women"]);
      people += linePeople;
      if (lineWomen === null) unknown += linePeople;
      else women += lineWomen;
    }
    let text = "Total : " + counted(people, "personne", "personnes") + ", dont " +
      counted(women, "femme ou fille", "femmes ou filles");
    if (unknown) text += " (sexe non renseigné pour " + counted(unknown, "personne", "personnes") + ")";
    return text;
  }

  function setUp() {
    const group = document.getElementById(PREFIX + "-group");
    if (!group) return;
    const form = group.closest("form");
    // A read-only view has no inputs: its total is the one computed on the server.
    if (!form || !form.querySelector("input[name$='-people']")) return;
    const output = document.createElement("p");
    output.className = "count-live-total help";
    output.setAttribute("aria-live", "polite");
    group.appendChild(output);
    const update = function () { output.textContent = totalText(form); };
    const onLine = function (event) {
      if (event.target.name && event.target.name.startsWith(PREFIX + "-")) update();
    };
    form.addEventListener("input", onLine);
    form.addEventListener("change", onLine);
    document.addEventListener("formset:added", update);
    document.addEventListener("formset:removed", update);
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
