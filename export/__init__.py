"""Drawing: images and charts (matplotlib), HTML networks (pyvis), data formats and the export engine.

Only exports import this subpackage, so loading files never imports matplotlib or pyvis.
"""
