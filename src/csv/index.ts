// wasmlp/csv: reading CSV files for a model. A separate entry point from 'wasmlp': it carries
// papaparse, bundled in (scripts/bundle-csv.mjs). readCsv and csvSource read files (Node);
// csvStreamSource reads a ReadableStream (browsers too): the entry imports nothing from Node, whose
// file modules are reached only when a file is read (node.ts).
export { readCsv, type CsvData, type ReadCsvOptions } from './read.js';
export { parseNumber, detectDelimiter, type DelimiterChoice } from './table.js';
export { CsvError, type CsvLocation } from '../errors.js';
export { csvSource, csvStreamSource, type CsvChunk, type CsvProgress, type CsvSource, type CsvSourceOptions, type CsvStreamSourceOptions } from './source.js';
