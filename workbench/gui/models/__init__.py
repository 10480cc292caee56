"""Qt item models (QAbstractItemModel adapters) over engine data, and the plain data they show."""
