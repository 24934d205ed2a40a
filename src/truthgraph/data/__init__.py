"""The files TruthGraph reads and writes: the public labelled datasets (``datasets``), JSON
Lines (``jsonl``) and files written whole or not at all (``files.atomic_write``), or read whole
(``files.read_text_file``)."""
