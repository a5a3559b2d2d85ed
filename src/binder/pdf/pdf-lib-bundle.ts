// pdf-lib for the binder, from its single-file build: the same 1.17 API as `import … from 'pdf-lib'`, which
// resolves to ~300 CommonJS files and costs ~0.15 s of start-up under tsx against ~0.03 s for the bundle loaded
// with require (the worker and the `dossier` CLI start fresh processes). Objects from this copy and from 'pdf-lib'
// must not be mixed in instanceof checks: every binder module imports pdf-lib from here.
import { createRequire } from 'node:module';
import type * as PdfLib from 'pdf-lib';

const lib = createRequire(import.meta.url)('pdf-lib/dist/pdf-lib.min.js') as typeof PdfLib;

export const { EncryptedPDFError, ParseSpeeds, PDFArray, PDFBool, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFStream, PDFString } = lib;

export type EncryptedPDFError = PdfLib.EncryptedPDFError;
export type PDFArray = PdfLib.PDFArray;
export type PDFBool = PdfLib.PDFBool;
export type PDFDict = PdfLib.PDFDict;
export type PDFDocument = PdfLib.PDFDocument;
export type PDFHexString = PdfLib.PDFHexString;
export type PDFName = PdfLib.PDFName;
export type PDFNumber = PdfLib.PDFNumber;
export type PDFRef = PdfLib.PDFRef;
export type PDFStream = PdfLib.PDFStream;
export type PDFString = PdfLib.PDFString;
export type PDFContext = PdfLib.PDFContext;
export type PDFObject = PdfLib.PDFObject;
