"""Load an on-demand service from a feed's GTFS-Flex files and its YAML; write one back.

:func:`load_ondemand_service` is what the web app, the CLI and the simulation
call; :func:`write_flex` writes a scenario's service so that it loads back equal.
"""

from __future__ import annotations

from pathlib import Path

from gtfs.errors import FeedError
from gtfs.flex import read_flex, write_flex_files
from gtfs.ondemand_config import merge_config, read_config, write_config
from gtfs.zipsafe import DEFAULT_MAX_UNCOMPRESSED_BYTES
from transit.ondemand import OnDemandService

__all__ = ["CONFIG_FILE", "load_ondemand_service", "write_flex"]

#: Name of the YAML file beside a feed (as the demo city writes it).
CONFIG_FILE = "drt_service.yaml"


def load_ondemand_service(feed_path: str | Path | None, yaml_path: str | Path | None = None, *,
                          max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
                          ) -> OnDemandService:
    """Read the on-demand service of a feed: its Flex files, completed by the YAML file.

    Parameters
    ----------
    feed_path
        GTFS zip or folder. ``None`` takes the ``feed:`` the YAML file names
        (relative to the YAML file).
    yaml_path
        ``drt_service.yaml``; ``None`` reads the Flex files alone (zones,
        windows, hubs and booking rules, but no fleet).
    max_uncompressed_bytes
        Cap on the feed members read.

    Returns
    -------
    OnDemandService

    Raises
    ------
    FeedError
        For a bad Flex file (``file:line: ...``); its subclass
        :class:`~gtfs.ondemand_config.ConfigError` for a bad YAML file
        (``file:line: key.path: ...``).
    OSError
        If a file cannot be read.
    """
    config = read_config(yaml_path) if yaml_path is not None else None
    if feed_path is None:
        if config is None or config.feed is None:
            raise FeedError("feed_path: no feed given, and no YAML file naming one (feed:)")
        feed_path = config.feed
    flex = read_flex(feed_path, max_uncompressed_bytes=max_uncompressed_bytes)
    if config is None:
        return flex.service()
    return merge_config(config, flex)


def write_flex(service: OnDemandService, folder: str | Path, *,
               config_name: str = CONFIG_FILE) -> list[Path]:
    """Write ``locations.geojson``, ``booking_rules.txt`` and the YAML file into ``folder``.

    ``folder`` is meant to be a scenario's GTFS folder (its ``stops.txt`` is what
    the hubs and depots are checked against when it is read back). Windows,
    hubs and fleets go to the YAML file, which :func:`load_ondemand_service`
    merges back into an equal service.

    Returns
    -------
    list of Path
        The files written.
    """
    written = write_flex_files(service, folder)
    written.append(write_config(service, Path(folder) / config_name))
    return written
