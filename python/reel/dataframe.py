"""Recordings as tables.

    rec = rr.dataframe.load_recording("out.reel")          # or from_memory(rr.memory_recording())
    view = rec.view(index="step", contents="/plots/**")
    table = view.filter_range_sequence(0, 100).fill_latest_at().select().read_all()
    table["/plots/sin:Scalars:scalars"].to_numpy()
    table.to_pandas()

    big = rr.dataframe.view_file("big.reel", index="step", contents="/plots/**")
    for batch in big.with_batch_rows(10_000).select():   # streams: memory of a batch
        ...

    ds = rr.dataframe.load_dataset("runs/")                 # paths, a directory or a glob
    ds.view(index="step", contents="/plots/**").select().read_all()   # + recording_id, source
    ds.sql('SELECT recording_id, avg(scalars[1]) FROM "Scalars" GROUP BY 1').to_pandas()

Tables, readers and columns speak the Arrow PyCapsule interface (__arrow_c_stream__,
__arrow_c_array__, __arrow_c_schema__): pyarrow.table(t), polars.from_arrow(t) and DuckDB
read them without copying.
"""

from __future__ import annotations

from ._reel import dataframe as _native

ColumnDescriptor = _native.ColumnDescriptor
Column = _native.Column
LatestAt = _native.LatestAt
Recording = _native.Recording
RecordBatchReader = _native.RecordBatchReader
Schema = _native.Schema
Table = _native.Table
View = _native.View
load_recording = _native.load_recording
view_file = _native.view_file
from_memory = _native.from_memory
Dataset = _native.Dataset
DatasetView = _native.DatasetView
load_dataset = _native.load_dataset

__all__ = [
    "Column", "ColumnDescriptor", "Dataset", "DatasetView", "LatestAt", "RecordBatchReader",
    "Recording", "Schema", "Table", "View", "from_memory", "load_dataset", "load_recording",
    "view_file",
]


def _recording_sql(self, query):
    """Runs SQL (DuckDB) over this recording: a view per archetype (SELECT * FROM "Scalars")
    and reel_scan('recording', ...). Returns the last statement's rows as a Table."""
    return _native._recording_sql(self, query)


Recording.sql = _recording_sql


def _table_to_pandas(self):
    """A pandas DataFrame: one column per table column, the index column first. Component
    columns follow Column.to_numpy(); rows of several values become object cells. Times are
    typed: a timestamp index is datetime64[ns, UTC], a duration index timedelta64[ns]."""
    import pandas as pd

    data = {}
    for name in self.column_names:
        values = self[name].to_numpy()
        if values.dtype.kind == "M":  # numpy datetimes are zoneless; reel's are UTC instants
            values = pd.DatetimeIndex(values).tz_localize("UTC")
        data[name] = list(values) if values.ndim > 1 else values
    return pd.DataFrame(data, columns=self.column_names)


def _reader_to_pandas(self):
    """All remaining rows as a pandas DataFrame."""
    return self.read_all().to_pandas()


Table.to_pandas = _table_to_pandas
RecordBatchReader.to_pandas = _reader_to_pandas
