"""Keep Streamlit's garbage collection after every run cheap.

Streamlit runs a full collection after each script run (`runner.postScriptGC`), which keeps a
long-lived server's memory flat but walks every object the process holds: at England scale that
was 60-90 ms a rerun, as long as the rerun itself, and the next run waits behind it. Almost all
of those objects are the imported libraries, which live as long as the process. Each time a run
finds new modules imported (the first run, and the first visit to a page that imports more),
everything alive is moved to the collector's permanent generation (`gc.freeze`), so later
collections walk only what runs have made since. Unreachable cycles among frozen objects are
never collected; that is bounded, because freezing happens only when the modules grow, and each
later freeze follows the collection Streamlit made after the run before. The first freeze is not
preceded by a collection of its own: it would walk every imported object once more (about
0.15 s of a cold start) to free the little garbage importing leaves.
"""

from __future__ import annotations

import gc
import sys

_modules_when_frozen = 0


def freeze_when_modules_grow() -> bool:
    """Freeze what is alive if modules were imported since the last freeze; True if it froze."""
    global _modules_when_frozen
    modules = len(sys.modules)
    if modules == _modules_when_frozen:
        return False
    gc.freeze()
    _modules_when_frozen = modules
    return True
