# The kernel that executes the chapter: SVG for the site, PDF for the LaTeX handout.
c = get_config()  # noqa: F821 -- injected by IPython
c.InlineBackend.figure_formats = {"svg", "pdf"}
# A fixed salt makes the ids inside SVG files, and so their bytes, the same on every build.
c.InlineBackend.rc = {"svg.hashsalt": "rnngrad", "svg.fonttype": "path"}
c.HistoryManager.enabled = False
# Activate the inline backend at start-up: it registers the SVG/PDF formatters for Figure
# objects, which rnngrad.plots builds without pyplot so that only glue shows them.
c.InteractiveShellApp.matplotlib = "inline"
# Keep the build log for what matters: the kernel's own chatter is not the chapter's.
c.IPKernelApp.log_level = "ERROR"
