// The package version written into exported ONNX files (metadata `wasmlp.version`).
// test/onnx-export.test.ts checks that it equals package.json's version.
export const WASMLP_VERSION = '0.1.0';
