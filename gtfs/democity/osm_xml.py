"""Write the street network as OSM XML (``streets.osm``).

Node ids are lattice indices + 1, way ids count from 1 in a fixed order, so
the file is the same for the same city. Every node carries ``ele`` (metres);
ways carry the tags of :data:`gtfs.democity.streets.WAY_TAGS`, plus
``incline`` (percent, in the way's direction) on hill footways.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from gtfs.democity.streets import HILL_PATH, WAY_TAGS, StreetNetwork


def write_osm(path: Path, streets: StreetNetwork) -> None:
    """Write ``streets`` to ``path`` as OSM XML 0.6."""
    lat = streets.lattice.lat.ravel()
    lon = streets.lattice.lon.ravel()
    ele = streets.lattice.elevation_m.ravel()
    nodes = np.flatnonzero(streets.lattice.kept.ravel())
    tag_text = [
        "".join(f"\n    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags)
        for tags in WAY_TAGS
    ]
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("<?xml version='1.0' encoding='UTF-8'?>\n")
        f.write('<osm version="0.6" generator="tsunagu-democity">\n')
        f.write(f'  <bounds minlat="{lat[nodes].min():.7f}" minlon="{lon[nodes].min():.7f}" '
                f'maxlat="{lat[nodes].max():.7f}" maxlon="{lon[nodes].max():.7f}"/>\n')
        f.writelines(
            f'  <node id="{n + 1}" version="1" lat="{a:.7f}" lon="{o:.7f}">\n'
            f'    <tag k="ele" v="{e:.1f}"/>\n  </node>\n'
            for n, a, o, e in zip(nodes.tolist(), lat[nodes].tolist(), lon[nodes].tolist(),
                                  ele[nodes].tolist(), strict=True)
        )
        refs = (streets.way_nodes + 1).tolist()
        offsets = streets.way_node_offsets.tolist()
        classes = streets.way_class.tolist()
        inclines = streets.way_incline_pct.tolist()
        for w, cls in enumerate(classes):
            nds = "".join(f'\n    <nd ref="{r}"/>' for r in refs[offsets[w]:offsets[w + 1]])
            extra = ""
            if cls == HILL_PATH:
                extra = f'\n    <tag k="incline" v="{int(inclines[w])}%"/>'
            f.write(f'  <way id="{w + 1}" version="1">{nds}{tag_text[cls]}{extra}\n  </way>\n')
        f.write("</osm>\n")
