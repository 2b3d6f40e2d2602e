"""folium elements that put text into a page without compiling it as a template.

Why this module exists: branca's :meth:`MacroElement.render` wraps what each
macro (``header``, ``html``, ``script``) returns in a new
``Element(text)``, and ``Element`` compiles its text as a Jinja2 template.
Anything a macro outputs is therefore compiled a second time, and whatever
data it holds becomes template source: ``{{ 6*7 }}`` in a feature's name
showed as 42, ``{{ cycler.__init__.__globals__.os.popen(...) }}`` ran a
shell command, ``{%`` crashed the build (issue 9). Every page also compiled
its whole payload and, offline, all of Leaflet as templates.

Here the output of a macro goes into the figure as a :class:`Text` element,
whose template is fixed at class level (``{{ this.text }}``, compiled once
when this module is imported) and whose text is a variable: Jinja2 inserts
a variable's value, it never parses it. Data is never template source.

Only branca's public API is used: a class-level ``_template`` (the way
branca documents defining a MacroElement), ``Template.module`` for the
macros, ``get_root``/``get_name``, and the figure's ``header``, ``html``
and ``script`` elements.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.template import Template

__all__ = ["Text", "TextMacroElement"]


class Text(Element):
    """A piece of page text inserted as it is (HTML the caller has made safe).

    Parameters
    ----------
    text : str
        Inserted verbatim; it is a template variable, never compiled.
    """

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Text"
        self.text = text


class TextMacroElement(MacroElement):
    """A :class:`~branca.element.MacroElement` whose macros' output is not compiled again.

    Subclasses define a fixed class-level ``_template`` with ``header``,
    ``html`` and/or ``script`` macros that read their data from attributes
    (``{{ this.title }}``); the macros run once per render and their output
    goes into the page as :class:`Text`. Such an element has no children.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"{type(self).__name__} must be added to a folium Map or branca Figure before rendering")
        module = self._template.module
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(Text(str(macro(self, kwargs))), name=self.get_name())
