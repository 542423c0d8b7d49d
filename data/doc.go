// Package data reads the numbers a model is fitted to from files: CSV,
// JSON and NumPy's .npy. What it reads is an [Array], a scalar, a vector
// or a table, which a caller binds as a constant of a function (see
// expr.Options.Consts): data are held fixed, never differentiated.
//
// # Formats
//
// [ReadFile] chooses the reader by the file's extension:
//
//   - .csv: numbers separated by commas, one row a line ([ReadCSV]). The
//     first line is a header, and skipped, when none of its fields is a
//     number. Lines starting with # are comments; blank lines are
//     skipped; fields may be quoted and surrounded by spaces.
//   - .json: a number, an array of numbers, or an array of arrays of
//     numbers, all of the same length ([ReadJSON]).
//   - .npy: an array saved by numpy.save of zero, one or two dimensions,
//     of little-endian float64, float32, int64 or int32 ('<f8', '<f4',
//     '<i8', '<i4') in C order ([ReadNPY]). Integers convert to the
//     nearest float64, exactly up to 2⁵³.
//
// A CSV file is always a table, even of one row or one column; a table of
// one row or one column binds as a vector ([Array.Shape]).
//
// # Errors
//
// Data must be finite: a NaN or an infinity is an error, as are an empty
// file, a ragged row, a field that is not a number and, in a .npy file, a
// data type or layout the reader does not take. Errors are *[Error]s that
// name the line and column of a text file's fault. A file larger than
// [MaxFileSize] bytes, or holding more than [MaxLen] numbers, is refused
// before it is read whole.
package data
