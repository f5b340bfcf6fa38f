// wasmlp/csv: reading CSV files for a model, in Node. A separate entry point from 'wasmlp' (which
// runs in browsers too): it reads files, and carries papaparse, bundled in (scripts/bundle-csv.mjs).
export { readCsv, type CsvData, type ReadCsvOptions } from './read.js';
export { parseNumber, detectDelimiter, type DelimiterChoice } from './table.js';
export { CsvError, type CsvLocation } from '../errors.js';
export { csvSource, csvStreamSource, type CsvChunk, type CsvProgress, type CsvSource, type CsvSourceOptions, type CsvStreamSourceOptions } from './source.js';
