"use strict";
// The events' action bar: the comment for the partner is asked only when
// « Renvoyer pour correction » is chosen. A file, not an inline script, for the CSP.
(function () {
  const ACTION = "return_for_correction";

  function setUp() {
    for (const bar of document.querySelectorAll("#changelist-form .actions")) {
      const select = bar.querySelector("select[name='action']");
      const comment = bar.querySelector("input[name='commentaire']");
      if (!select || !comment) continue;
      const label = comment.closest("label") || comment;
      const hasAction = Array.from(select.options).some((option) => option.value === ACTION);
      // The admin's style shows every label of the bar: hide through the style.
      const update = function () { label.style.display = select.value === ACTION ? "" : "none"; };
      if (!hasAction) {
        label.style.display = "none";
        continue;
      }
      select.addEventListener("change", update);
      update();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
