// Select2, which draws the admin's autocompletes, hides the labelled <select> and
// shows elements of its own that screen readers reach without a name: each is given
// the text of the field's label.
'use strict';
{
    function labelText(select) {
        const label = document.querySelector(`label[for="${select.id}"]`);
        return label ? label.textContent.replace(/\s*:\s*$/, '').trim() : '';
    }

    function name(select) {
        const text = labelText(select);
        const container = select.nextElementSibling;
        if (!text || !container || !container.classList.contains('select2')) {
            return;
        }
        const parts = container.querySelectorAll(
            '.select2-selection, .select2-selection__rendered, .select2-search__field'
        );
        for (const part of parts) {
            part.setAttribute('aria-label', text);
        }
    }

    function nameAll() {
        document.querySelectorAll('select.admin-autocomplete').forEach(name);
    }

    // Select2 draws, and redraws after each choice, some of these elements after the
    // page has loaded: they are named as they appear.
    window.addEventListener('load', () => {
        nameAll();
        new MutationObserver(nameAll).observe(document.body, {childList: true, subtree: true});
    });
}
