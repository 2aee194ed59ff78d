"""Sphinx configuration of the phonogap documentation.

Build (warnings are errors, as in CI)::

    python3 -m sphinx -W --keep-going -b html docs docs/_build/html

The workflow-file reference and the API module list are generated from the code at build
time by ``docs/_ext/phonogap_docs.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document this checkout's sources, not another installed copy of the package.
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(DOCS / "_ext"))

project = "phonogap"
author = "phonogap developers"
copyright = "phonogap developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
    "phonogap_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"

# -- docstrings (numpydoc style, rendered by napoleon) ---------------------------------------
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_param = True
napoleon_use_rtype = False
napoleon_preprocess_types = False
napoleon_attr_annotations = True

autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    # document each object where it is defined: packages re-export names in __all__
    "ignore-module-all": True,
}
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_class_signature = "separated"
autodoc_preserve_defaults = True
# The API page documents ~100 modules; objects in its table of contents make every page's
# navigation tree large (the build took half again as long). Module sections stay in it.
toc_object_entries = False

# Docstrings in src/ that use "|x|" for an absolute value, which reStructuredText reads as a
# substitution reference. Escaped for these objects only, so that any new one still fails the
# build. Once the docstrings say ":math:`|x|`" (or escape the bars), the entries go.
ABSOLUTE_VALUE_BARS = (
    "phonogap.phonons.kappa_attribution",  # module docstring: |Φ + δ|², |Φ|², |δ|²
    "phonogap.md.errors.phase_errors",  # Returns: mean |ΔE|/N
)


def _escape_absolute_value_bars(app, what, name, obj, options, lines):
    if name in ABSOLUTE_VALUE_BARS:
        lines[:] = [re.sub(r"(?<!\\)\|", r"\\|", line) for line in lines]


def setup(app):
    """Connect the docstring fix-up above."""
    app.connect("autodoc-process-docstring", _escape_absolute_value_bars)


# -- Markdown ----------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- HTML --------------------------------------------------------------------------------------
html_theme = "furo"
html_title = "phonogap"
html_static_path: list[str] = []
