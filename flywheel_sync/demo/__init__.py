"""``flywheel-sync demo``'s parts that are not command-line output: its working folder."""

from flywheel_sync.demo.folder import (
    MARKER,
    REPORT_NAME,
    STORE_FOLDER,
    DemoFolderError,
    prepare_folder,
)

__all__ = ["MARKER", "REPORT_NAME", "STORE_FOLDER", "DemoFolderError", "prepare_folder"]
