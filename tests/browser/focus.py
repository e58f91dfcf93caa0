"""What a keyboard user sees of the focus, read from the page."""


def focused_skip_link_target(page):
    """The element the focused in-page link leads to, as 'main' or a description."""
    return page.evaluate(
        """() => {
            const link = document.activeElement;
            const href = link && link.getAttribute("href");
            if (link.tagName !== "A" || !href || !href.startsWith("#")) {
                return `not an in-page link: ${link.outerHTML.slice(0, 80)}`;
            }
            const target = document.getElementById(decodeURIComponent(href.slice(1)));
            if (target && target.matches("main, [role=main]")) return "main";
            return `${href}, which is not the main landmark`;
        }"""
    )


def focus_is_visible(page):
    """An outline or a box-shadow on the focused element (the site's :focus-visible)."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            return outline || style.boxShadow !== "none";
        }"""
    )
