"""Sphinx configuration for the optsuite documentation.

Build from the repository root with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The API pages under ``docs/api/generated`` are written by autosummary at build time (that
folder is git-ignored), so nothing generated is committed.
"""
import os
import sys

# Import the packages from the checkout, without installing the distribution.
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)

# -- Project ----------------------------------------------------------------------------------
project = "optsuite"
author = "the optsuite developers"
copyright = "the optsuite developers"

try:
    import solvers

    release = solvers.__version__
except Exception:  # pragma: no cover - the build reports the import error itself
    release = "0.1.0.dev0"
version = release

# -- General ----------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]
# sphinx.ext.intersphinx is deliberately not enabled: the build must work without network.

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "plots"]
templates_path = ["_templates"]  # autosummary/class.rst: document members inline

# -- autodoc / autosummary ------------------------------------------------------------------
autosummary_generate = True           # writes docs/api/generated/*.rst at build time
autosummary_generate_overwrite = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"            # numpydoc sections carry the types

# -- numpydoc ---------------------------------------------------------------------------------
numpydoc_show_class_members = False   # avoids duplicate-object warnings with autosummary
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()    # docstring style validation stays off
numpydoc_xref_param_type = False

# -- MyST (markdown pages) --------------------------------------------------------------------
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

# -- HTML -------------------------------------------------------------------------------------
html_theme = "alabaster"
html_static_path = ["_static"]
html_title = f"optsuite {release}"
html_theme_options = {
    "description": "Classical optimization solvers on one CPU/GPU backend switch",
    "fixed_sidebar": True,
}
