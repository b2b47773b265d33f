import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 807:
/***/ ((module, exports, __nccwpck_require__) => {

(function (factory) {
    if ( true && typeof module.exports === "object") {
        var v = factory(__WEBPACK_EXTERNAL_createRequire(import.meta.url), exports);
        if (v !== undefined) module.exports = v;
    }
    else if (typeof define === "function" && define.amd) {
        define(["require", "exports", "./format", "./parser"], factory);
    }
})(function () {
    /*---------------------------------------------------------------------------------------------
     *  Copyright (c) Microsoft Corporation. All rights reserved.
     *  Licensed under the MIT License. See License.txt in the project root for license information.
     *--------------------------------------------------------------------------------------------*/
    'use strict';
    Object.defineProperty(exports, "__esModule", ({ value: true }));
    exports.isWS = exports.applyEdit = exports.setProperty = exports.removeProperty = void 0;
    const format_1 = __nccwpck_require__(612);
    const parser_1 = __nccwpck_require__(152);
    function removeProperty(text, path, options) {
        return setProperty(text, path, void 0, options);
    }
    exports.removeProperty = removeProperty;
    function setProperty(text, originalPath, value, options) {
        const path = originalPath.slice();
        const errors = [];
        const root = (0, parser_1.parseTree)(text, errors);
        let parent = void 0;
        let lastSegment = void 0;
        while (path.length > 0) {
            lastSegment = path.pop();
            parent = (0, parser_1.findNodeAtLocation)(root, path);
            if (parent === void 0 && value !== void 0) {
                if (typeof lastSegment === 'string') {
                    value = { [lastSegment]: value };
                }
                else {
                    value = [value];
                }
            }
            else {
                break;
            }
        }
        if (!parent) {
            // empty document
            if (value === void 0) { // delete
                throw new Error('Can not delete in empty document');
            }
            return withFormatting(text, { offset: root ? root.offset : 0, length: root ? root.length : 0, content: JSON.stringify(value) }, options);
        }
        else if (parent.type === 'object' && typeof lastSegment === 'string' && Array.isArray(parent.children)) {
            const existing = (0, parser_1.findNodeAtLocation)(parent, [lastSegment]);
            if (existing !== void 0) {
                if (value === void 0) { // delete
                    if (!existing.parent) {
                        throw new Error('Malformed AST');
                    }
                    const propertyIndex = parent.children.indexOf(existing.parent);
                    let removeBegin;
                    let removeEnd = existing.parent.offset + existing.parent.length;
                    if (propertyIndex > 0) {
                        // remove the comma of the previous node
                        let previous = parent.children[propertyIndex - 1];
                        removeBegin = previous.offset + previous.length;
                    }
                    else {
                        removeBegin = parent.offset + 1;
                        if (parent.children.length > 1) {
                            // remove the comma of the next node
                            let next = parent.children[1];
                            removeEnd = next.offset;
                        }
                    }
                    return withFormatting(text, { offset: removeBegin, length: removeEnd - removeBegin, content: '' }, options);
                }
                else {
                    // set value of existing property
                    return withFormatting(text, { offset: existing.offset, length: existing.length, content: JSON.stringify(value) }, options);
                }
            }
            else {
                if (value === void 0) { // delete
                    return []; // property does not exist, nothing to do
                }
                const newProperty = `${JSON.stringify(lastSegment)}: ${JSON.stringify(value)}`;
                const index = options.getInsertionIndex ? options.getInsertionIndex(parent.children.map(p => p.children[0].value)) : parent.children.length;
                let edit;
                if (index > 0) {
                    let previous = parent.children[index - 1];
                    edit = { offset: previous.offset + previous.length, length: 0, content: ',' + newProperty };
                }
                else if (parent.children.length === 0) {
                    edit = { offset: parent.offset + 1, length: 0, content: newProperty };
                }
                else {
                    edit = { offset: parent.offset + 1, length: 0, content: newProperty + ',' };
                }
                return withFormatting(text, edit, options);
            }
        }
        else if (parent.type === 'array' && typeof lastSegment === 'number' && Array.isArray(parent.children)) {
            const insertIndex = lastSegment;
            if (insertIndex === -1) {
                // Insert
                const newProperty = `${JSON.stringify(value)}`;
                let edit;
                if (parent.children.length === 0) {
                    edit = { offset: parent.offset + 1, length: 0, content: newProperty };
                }
                else {
                    const previous = parent.children[parent.children.length - 1];
                    edit = { offset: previous.offset + previous.length, length: 0, content: ',' + newProperty };
                }
                return withFormatting(text, edit, options);
            }
            else if (value === void 0 && parent.children.length >= 0) {
                // Removal
                const removalIndex = lastSegment;
                const toRemove = parent.children[removalIndex];
                let edit;
                if (parent.children.length === 1) {
                    // only item
                    edit = { offset: parent.offset + 1, length: parent.length - 2, content: '' };
                }
                else if (parent.children.length - 1 === removalIndex) {
                    // last item
                    let previous = parent.children[removalIndex - 1];
                    let offset = previous.offset + previous.length;
                    let parentEndOffset = parent.offset + parent.length;
                    edit = { offset, length: parentEndOffset - 2 - offset, content: '' };
                }
                else {
                    edit = { offset: toRemove.offset, length: parent.children[removalIndex + 1].offset - toRemove.offset, content: '' };
                }
                return withFormatting(text, edit, options);
            }
            else if (value !== void 0) {
                let edit;
                const newProperty = `${JSON.stringify(value)}`;
                if (!options.isArrayInsertion && parent.children.length > lastSegment) {
                    const toModify = parent.children[lastSegment];
                    edit = { offset: toModify.offset, length: toModify.length, content: newProperty };
                }
                else if (parent.children.length === 0 || lastSegment === 0) {
                    edit = { offset: parent.offset + 1, length: 0, content: parent.children.length === 0 ? newProperty : newProperty + ',' };
                }
                else {
                    const index = lastSegment > parent.children.length ? parent.children.length : lastSegment;
                    const previous = parent.children[index - 1];
                    edit = { offset: previous.offset + previous.length, length: 0, content: ',' + newProperty };
                }
                return withFormatting(text, edit, options);
            }
            else {
                throw new Error(`Can not ${value === void 0 ? 'remove' : (options.isArrayInsertion ? 'insert' : 'modify')} Array index ${insertIndex} as length is not sufficient`);
            }
        }
        else {
            throw new Error(`Can not add ${typeof lastSegment !== 'number' ? 'index' : 'property'} to parent of type ${parent.type}`);
        }
    }
    exports.setProperty = setProperty;
    function withFormatting(text, edit, options) {
        if (!options.formattingOptions) {
            return [edit];
        }
        // apply the edit
        let newText = applyEdit(text, edit);
        // format the new text
        let begin = edit.offset;
        let end = edit.offset + edit.content.length;
        if (edit.length === 0 || edit.content.length === 0) { // insert or remove
            while (begin > 0 && !(0, format_1.isEOL)(newText, begin - 1)) {
                begin--;
            }
            while (end < newText.length && !(0, format_1.isEOL)(newText, end)) {
                end++;
            }
        }
        const edits = (0, format_1.format)(newText, { offset: begin, length: end - begin }, { ...options.formattingOptions, keepLines: false });
        // apply the formatting edits and track the begin and end offsets of the changes
        for (let i = edits.length - 1; i >= 0; i--) {
            const edit = edits[i];
            newText = applyEdit(newText, edit);
            begin = Math.min(begin, edit.offset);
            end = Math.max(end, edit.offset + edit.length);
            end += edit.content.length - edit.length;
        }
        // create a single edit with all changes
        const editLength = text.length - (newText.length - end) - begin;
        return [{ offset: begin, length: editLength, content: newText.substring(begin, end) }];
    }
    function applyEdit(text, edit) {
        return text.substring(0, edit.offset) + edit.content + text.substring(edit.offset + edit.length);
    }
    exports.applyEdit = applyEdit;
    function isWS(text, offset) {
        return '\r\n \t'.indexOf(text.charAt(offset)) !== -1;
    }
    exports.isWS = isWS;
});


/***/ }),

/***/ 612:
/***/ ((module, exports, __nccwpck_require__) => {

(function (factory) {
    if ( true && typeof module.exports === "object") {
        var v = factory(__WEBPACK_EXTERNAL_createRequire(import.meta.url), exports);
        if (v !== undefined) module.exports = v;
    }
    else if (typeof define === "function" && define.amd) {
        define(["require", "exports", "./scanner", "./string-intern"], factory);
    }
})(function () {
    /*---------------------------------------------------------------------------------------------
     *  Copyright (c) Microsoft Corporation. All rights reserved.
     *  Licensed under the MIT License. See License.txt in the project root for license information.
     *--------------------------------------------------------------------------------------------*/
    'use strict';
    Object.defineProperty(exports, "__esModule", ({ value: true }));
    exports.isEOL = exports.format = void 0;
    const scanner_1 = __nccwpck_require__(525);
    const string_intern_1 = __nccwpck_require__(579);
    function format(documentText, range, options) {
        let initialIndentLevel;
        let formatText;
        let formatTextStart;
        let rangeStart;
        let rangeEnd;
        if (range) {
            rangeStart = range.offset;
            rangeEnd = rangeStart + range.length;
            formatTextStart = rangeStart;
            while (formatTextStart > 0 && !isEOL(documentText, formatTextStart - 1)) {
                formatTextStart--;
            }
            let endOffset = rangeEnd;
            while (endOffset < documentText.length && !isEOL(documentText, endOffset)) {
                endOffset++;
            }
            formatText = documentText.substring(formatTextStart, endOffset);
            initialIndentLevel = computeIndentLevel(formatText, options);
        }
        else {
            formatText = documentText;
            initialIndentLevel = 0;
            formatTextStart = 0;
            rangeStart = 0;
            rangeEnd = documentText.length;
        }
        const eol = getEOL(options, documentText);
        const eolFastPathSupported = string_intern_1.supportedEols.includes(eol);
        let numberLineBreaks = 0;
        let indentLevel = 0;
        let indentValue;
        if (options.insertSpaces) {
            indentValue = string_intern_1.cachedSpaces[options.tabSize || 4] ?? repeat(string_intern_1.cachedSpaces[1], options.tabSize || 4);
        }
        else {
            indentValue = '\t';
        }
        const indentType = indentValue === '\t' ? '\t' : ' ';
        let scanner = (0, scanner_1.createScanner)(formatText, false);
        let hasError = false;
        function newLinesAndIndent() {
            if (numberLineBreaks > 1) {
                return repeat(eol, numberLineBreaks) + repeat(indentValue, initialIndentLevel + indentLevel);
            }
            const amountOfSpaces = indentValue.length * (initialIndentLevel + indentLevel);
            if (!eolFastPathSupported || amountOfSpaces > string_intern_1.cachedBreakLinesWithSpaces[indentType][eol].length) {
                return eol + repeat(indentValue, initialIndentLevel + indentLevel);
            }
            if (amountOfSpaces <= 0) {
                return eol;
            }
            return string_intern_1.cachedBreakLinesWithSpaces[indentType][eol][amountOfSpaces];
        }
        function scanNext() {
            let token = scanner.scan();
            numberLineBreaks = 0;
            while (token === 15 /* SyntaxKind.Trivia */ || token === 14 /* SyntaxKind.LineBreakTrivia */) {
                if (token === 14 /* SyntaxKind.LineBreakTrivia */ && options.keepLines) {
                    numberLineBreaks += 1;
                }
                else if (token === 14 /* SyntaxKind.LineBreakTrivia */) {
                    numberLineBreaks = 1;
                }
                token = scanner.scan();
            }
            hasError = token === 16 /* SyntaxKind.Unknown */ || scanner.getTokenError() !== 0 /* ScanError.None */;
            return token;
        }
        const editOperations = [];
        function addEdit(text, startOffset, endOffset) {
            if (!hasError && (!range || (startOffset < rangeEnd && endOffset > rangeStart)) && documentText.substring(startOffset, endOffset) !== text) {
                editOperations.push({ offset: startOffset, length: endOffset - startOffset, content: text });
            }
        }
        let firstToken = scanNext();
        if (options.keepLines && numberLineBreaks > 0) {
            addEdit(repeat(eol, numberLineBreaks), 0, 0);
        }
        if (firstToken !== 17 /* SyntaxKind.EOF */) {
            let firstTokenStart = scanner.getTokenOffset() + formatTextStart;
            let initialIndent = (indentValue.length * initialIndentLevel < 20) && options.insertSpaces
                ? string_intern_1.cachedSpaces[indentValue.length * initialIndentLevel]
                : repeat(indentValue, initialIndentLevel);
            addEdit(initialIndent, formatTextStart, firstTokenStart);
        }
        while (firstToken !== 17 /* SyntaxKind.EOF */) {
            let firstTokenEnd = scanner.getTokenOffset() + scanner.getTokenLength() + formatTextStart;
            let secondToken = scanNext();
            let replaceContent = '';
            let needsLineBreak = false;
            while (numberLineBreaks === 0 && (secondToken === 12 /* SyntaxKind.LineCommentTrivia */ || secondToken === 13 /* SyntaxKind.BlockCommentTrivia */)) {
                let commentTokenStart = scanner.getTokenOffset() + formatTextStart;
                addEdit(string_intern_1.cachedSpaces[1], firstTokenEnd, commentTokenStart);
                firstTokenEnd = scanner.getTokenOffset() + scanner.getTokenLength() + formatTextStart;
                needsLineBreak = secondToken === 12 /* SyntaxKind.LineCommentTrivia */;
                replaceContent = needsLineBreak ? newLinesAndIndent() : '';
                secondToken = scanNext();
            }
            if (secondToken === 2 /* SyntaxKind.CloseBraceToken */) {
                if (firstToken !== 1 /* SyntaxKind.OpenBraceToken */) {
                    indentLevel--;
                }
                ;
                if (options.keepLines && numberLineBreaks > 0 || !options.keepLines && firstToken !== 1 /* SyntaxKind.OpenBraceToken */) {
                    replaceContent = newLinesAndIndent();
                }
                else if (options.keepLines) {
                    replaceContent = string_intern_1.cachedSpaces[1];
                }
            }
            else if (secondToken === 4 /* SyntaxKind.CloseBracketToken */) {
                if (firstToken !== 3 /* SyntaxKind.OpenBracketToken */) {
                    indentLevel--;
                }
                ;
                if (options.keepLines && numberLineBreaks > 0 || !options.keepLines && firstToken !== 3 /* SyntaxKind.OpenBracketToken */) {
                    replaceContent = newLinesAndIndent();
                }
                else if (options.keepLines) {
                    replaceContent = string_intern_1.cachedSpaces[1];
                }
            }
            else {
                switch (firstToken) {
                    case 3 /* SyntaxKind.OpenBracketToken */:
                    case 1 /* SyntaxKind.OpenBraceToken */:
                        indentLevel++;
                        if (options.keepLines && numberLineBreaks > 0 || !options.keepLines) {
                            replaceContent = newLinesAndIndent();
                        }
                        else {
                            replaceContent = string_intern_1.cachedSpaces[1];
                        }
                        break;
                    case 5 /* SyntaxKind.CommaToken */:
                        if (options.keepLines && numberLineBreaks > 0 || !options.keepLines) {
                            replaceContent = newLinesAndIndent();
                        }
                        else {
                            replaceContent = string_intern_1.cachedSpaces[1];
                        }
                        break;
                    case 12 /* SyntaxKind.LineCommentTrivia */:
                        replaceContent = newLinesAndIndent();
                        break;
                    case 13 /* SyntaxKind.BlockCommentTrivia */:
                        if (numberLineBreaks > 0) {
                            replaceContent = newLinesAndIndent();
                        }
                        else if (!needsLineBreak) {
                            replaceContent = string_intern_1.cachedSpaces[1];
                        }
                        break;
                    case 6 /* SyntaxKind.ColonToken */:
                        if (options.keepLines && numberLineBreaks > 0) {
                            replaceContent = newLinesAndIndent();
                        }
                        else if (!needsLineBreak) {
                            replaceContent = string_intern_1.cachedSpaces[1];
                        }
                        break;
                    case 10 /* SyntaxKind.StringLiteral */:
                        if (options.keepLines && numberLineBreaks > 0) {
                            replaceContent = newLinesAndIndent();
                        }
                        else if (secondToken === 6 /* SyntaxKind.ColonToken */ && !needsLineBreak) {
                            replaceContent = '';
                        }
                        break;
                    case 7 /* SyntaxKind.NullKeyword */:
                    case 8 /* SyntaxKind.TrueKeyword */:
                    case 9 /* SyntaxKind.FalseKeyword */:
                    case 11 /* SyntaxKind.NumericLiteral */:
                    case 2 /* SyntaxKind.CloseBraceToken */:
                    case 4 /* SyntaxKind.CloseBracketToken */:
                        if (options.keepLines && numberLineBreaks > 0) {
                            replaceContent = newLinesAndIndent();
                        }
                        else {
                            if ((secondToken === 12 /* SyntaxKind.LineCommentTrivia */ || secondToken === 13 /* SyntaxKind.BlockCommentTrivia */) && !needsLineBreak) {
                                replaceContent = string_intern_1.cachedSpaces[1];
                            }
                            else if (secondToken !== 5 /* SyntaxKind.CommaToken */ && secondToken !== 17 /* SyntaxKind.EOF */) {
                                hasError = true;
                            }
                        }
                        break;
                    case 16 /* SyntaxKind.Unknown */:
                        hasError = true;
                        break;
                }
                if (numberLineBreaks > 0 && (secondToken === 12 /* SyntaxKind.LineCommentTrivia */ || secondToken === 13 /* SyntaxKind.BlockCommentTrivia */)) {
                    replaceContent = newLinesAndIndent();
                }
            }
            if (secondToken === 17 /* SyntaxKind.EOF */) {
                if (options.keepLines && numberLineBreaks > 0) {
                    replaceContent = newLinesAndIndent();
                }
                else {
                    replaceContent = options.insertFinalNewline ? eol : '';
                }
            }
            const secondTokenStart = scanner.getTokenOffset() + formatTextStart;
            addEdit(replaceContent, firstTokenEnd, secondTokenStart);
            firstToken = secondToken;
        }
        return editOperations;
    }
    exports.format = format;
    function repeat(s, count) {
        let result = '';
        for (let i = 0; i < count; i++) {
            result += s;
        }
        return result;
    }
    function computeIndentLevel(content, options) {
        let i = 0;
        let nChars = 0;
        const tabSize = options.tabSize || 4;
        while (i < content.length) {
            let ch = content.charAt(i);
            if (ch === string_intern_1.cachedSpaces[1]) {
                nChars++;
            }
            else if (ch === '\t') {
                nChars += tabSize;
            }
            else {
                break;
            }
            i++;
        }
        return Math.floor(nChars / tabSize);
    }
    function getEOL(options, text) {
        for (let i = 0; i < text.length; i++) {
            const ch = text.charAt(i);
            if (ch === '\r') {
                if (i + 1 < text.length && text.charAt(i + 1) === '\n') {
                    return '\r\n';
                }
                return '\r';
            }
            else if (ch === '\n') {
                return '\n';
            }
        }
        return (options && options.eol) || '\n';
    }
    function isEOL(text, offset) {
        return '\r\n'.indexOf(text.charAt(offset)) !== -1;
    }
    exports.isEOL = isEOL;
});


/***/ }),

/***/ 152:
/***/ ((module, exports, __nccwpck_require__) => {

(function (factory) {
    if ( true && typeof module.exports === "object") {
        var v = factory(__WEBPACK_EXTERNAL_createRequire(import.meta.url), exports);
        if (v !== undefined) module.exports = v;
    }
    else if (typeof define === "function" && define.amd) {
        define(["require", "exports", "./scanner"], factory);
    }
})(function () {
    /*---------------------------------------------------------------------------------------------
     *  Copyright (c) Microsoft Corporation. All rights reserved.
     *  Licensed under the MIT License. See License.txt in the project root for license information.
     *--------------------------------------------------------------------------------------------*/
    'use strict';
    Object.defineProperty(exports, "__esModule", ({ value: true }));
    exports.getNodeType = exports.stripComments = exports.visit = exports.findNodeAtOffset = exports.contains = exports.getNodeValue = exports.getNodePath = exports.findNodeAtLocation = exports.parseTree = exports.parse = exports.getLocation = void 0;
    const scanner_1 = __nccwpck_require__(525);
    var ParseOptions;
    (function (ParseOptions) {
        ParseOptions.DEFAULT = {
            allowTrailingComma: false
        };
    })(ParseOptions || (ParseOptions = {}));
    /**
     * For a given offset, evaluate the location in the JSON document. Each segment in the location path is either a property name or an array index.
     */
    function getLocation(text, position) {
        const segments = []; // strings or numbers
        const earlyReturnException = new Object();
        let previousNode = undefined;
        const previousNodeInst = {
            value: {},
            offset: 0,
            length: 0,
            type: 'object',
            parent: undefined
        };
        let isAtPropertyKey = false;
        function setPreviousNode(value, offset, length, type) {
            previousNodeInst.value = value;
            previousNodeInst.offset = offset;
            previousNodeInst.length = length;
            previousNodeInst.type = type;
            previousNodeInst.colonOffset = undefined;
            previousNode = previousNodeInst;
        }
        try {
            visit(text, {
                onObjectBegin: (offset, length) => {
                    if (position <= offset) {
                        throw earlyReturnException;
                    }
                    previousNode = undefined;
                    isAtPropertyKey = position > offset;
                    segments.push(''); // push a placeholder (will be replaced)
                },
                onObjectProperty: (name, offset, length) => {
                    if (position < offset) {
                        throw earlyReturnException;
                    }
                    setPreviousNode(name, offset, length, 'property');
                    segments[segments.length - 1] = name;
                    if (position <= offset + length) {
                        throw earlyReturnException;
                    }
                },
                onObjectEnd: (offset, length) => {
                    if (position <= offset) {
                        throw earlyReturnException;
                    }
                    previousNode = undefined;
                    segments.pop();
                },
                onArrayBegin: (offset, length) => {
                    if (position <= offset) {
                        throw earlyReturnException;
                    }
                    previousNode = undefined;
                    segments.push(0);
                },
                onArrayEnd: (offset, length) => {
                    if (position <= offset) {
                        throw earlyReturnException;
                    }
                    previousNode = undefined;
                    segments.pop();
                },
                onLiteralValue: (value, offset, length) => {
                    if (position < offset) {
                        throw earlyReturnException;
                    }
                    setPreviousNode(value, offset, length, getNodeType(value));
                    if (position <= offset + length) {
                        throw earlyReturnException;
                    }
                },
                onSeparator: (sep, offset, length) => {
                    if (position <= offset) {
                        throw earlyReturnException;
                    }
                    if (sep === ':' && previousNode && previousNode.type === 'property') {
                        previousNode.colonOffset = offset;
                        isAtPropertyKey = false;
                        previousNode = undefined;
                    }
                    else if (sep === ',') {
                        const last = segments[segments.length - 1];
                        if (typeof last === 'number') {
                            segments[segments.length - 1] = last + 1;
                        }
                        else {
                            isAtPropertyKey = true;
                            segments[segments.length - 1] = '';
                        }
                        previousNode = undefined;
                    }
                }
            });
        }
        catch (e) {
            if (e !== earlyReturnException) {
                throw e;
            }
        }
        return {
            path: segments,
            previousNode,
            isAtPropertyKey,
            matches: (pattern) => {
                let k = 0;
                for (let i = 0; k < pattern.length && i < segments.length; i++) {
                    if (pattern[k] === segments[i] || pattern[k] === '*') {
                        k++;
                    }
                    else if (pattern[k] !== '**') {
                        return false;
                    }
                }
                return k === pattern.length;
            }
        };
    }
    exports.getLocation = getLocation;
    /**
     * Parses the given text and returns the object the JSON content represents. On invalid input, the parser tries to be as fault tolerant as possible, but still return a result.
     * Therefore always check the errors list to find out if the input was valid.
     */
    function parse(text, errors = [], options = ParseOptions.DEFAULT) {
        let currentProperty = null;
        let currentParent = [];
        const previousParents = [];
        function onValue(value) {
            if (Array.isArray(currentParent)) {
                currentParent.push(value);
            }
            else if (currentProperty !== null) {
                currentParent[currentProperty] = value;
            }
        }
        const visitor = {
            onObjectBegin: () => {
                const object = {};
                onValue(object);
                previousParents.push(currentParent);
                currentParent = object;
                currentProperty = null;
            },
            onObjectProperty: (name) => {
                currentProperty = name;
            },
            onObjectEnd: () => {
                currentParent = previousParents.pop();
            },
            onArrayBegin: () => {
                const array = [];
                onValue(array);
                previousParents.push(currentParent);
                currentParent = array;
                currentProperty = null;
            },
            onArrayEnd: () => {
                currentParent = previousParents.pop();
            },
            onLiteralValue: onValue,
            onError: (error, offset, length) => {
                errors.push({ error, offset, length });
            }
        };
        visit(text, visitor, options);
        return currentParent[0];
    }
    exports.parse = parse;
    /**
     * Parses the given text and returns a tree representation the JSON content. On invalid input, the parser tries to be as fault tolerant as possible, but still return a result.
     */
    function parseTree(text, errors = [], options = ParseOptions.DEFAULT) {
        let currentParent = { type: 'array', offset: -1, length: -1, children: [], parent: undefined }; // artificial root
        function ensurePropertyComplete(endOffset) {
            if (currentParent.type === 'property') {
                currentParent.length = endOffset - currentParent.offset;
                currentParent = currentParent.parent;
            }
        }
        function onValue(valueNode) {
            currentParent.children.push(valueNode);
            return valueNode;
        }
        const visitor = {
            onObjectBegin: (offset) => {
                currentParent = onValue({ type: 'object', offset, length: -1, parent: currentParent, children: [] });
            },
            onObjectProperty: (name, offset, length) => {
                currentParent = onValue({ type: 'property', offset, length: -1, parent: currentParent, children: [] });
                currentParent.children.push({ type: 'string', value: name, offset, length, parent: currentParent });
            },
            onObjectEnd: (offset, length) => {
                ensurePropertyComplete(offset + length); // in case of a missing value for a property: make sure property is complete
                currentParent.length = offset + length - currentParent.offset;
                currentParent = currentParent.parent;
                ensurePropertyComplete(offset + length);
            },
            onArrayBegin: (offset, length) => {
                currentParent = onValue({ type: 'array', offset, length: -1, parent: currentParent, children: [] });
            },
            onArrayEnd: (offset, length) => {
                currentParent.length = offset + length - currentParent.offset;
                currentParent = currentParent.parent;
                ensurePropertyComplete(offset + length);
            },
            onLiteralValue: (value, offset, length) => {
                onValue({ type: getNodeType(value), offset, length, parent: currentParent, value });
                ensurePropertyComplete(offset + length);
            },
            onSeparator: (sep, offset, length) => {
                if (currentParent.type === 'property') {
                    if (sep === ':') {
                        currentParent.colonOffset = offset;
                    }
                    else if (sep === ',') {
                        ensurePropertyComplete(offset);
                    }
                }
            },
            onError: (error, offset, length) => {
                errors.push({ error, offset, length });
            }
        };
        visit(text, visitor, options);
        const result = currentParent.children[0];
        if (result) {
            delete result.parent;
        }
        return result;
    }
    exports.parseTree = parseTree;
    /**
     * Finds the node at the given path in a JSON DOM.
     */
    function findNodeAtLocation(root, path) {
        if (!root) {
            return undefined;
        }
        let node = root;
        for (let segment of path) {
            if (typeof segment === 'string') {
                if (node.type !== 'object' || !Array.isArray(node.children)) {
                    return undefined;
                }
                let found = false;
                for (const propertyNode of node.children) {
                    if (Array.isArray(propertyNode.children) && propertyNode.children[0].value === segment && propertyNode.children.length === 2) {
                        node = propertyNode.children[1];
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    return undefined;
                }
            }
            else {
                const index = segment;
                if (node.type !== 'array' || index < 0 || !Array.isArray(node.children) || index >= node.children.length) {
                    return undefined;
                }
                node = node.children[index];
            }
        }
        return node;
    }
    exports.findNodeAtLocation = findNodeAtLocation;
    /**
     * Gets the JSON path of the given JSON DOM node
     */
    function getNodePath(node) {
        if (!node.parent || !node.parent.children) {
            return [];
        }
        const path = getNodePath(node.parent);
        if (node.parent.type === 'property') {
            const key = node.parent.children[0].value;
            path.push(key);
        }
        else if (node.parent.type === 'array') {
            const index = node.parent.children.indexOf(node);
            if (index !== -1) {
                path.push(index);
            }
        }
        return path;
    }
    exports.getNodePath = getNodePath;
    /**
     * Evaluates the JavaScript object of the given JSON DOM node
     */
    function getNodeValue(node) {
        switch (node.type) {
            case 'array':
                return node.children.map(getNodeValue);
            case 'object':
                const obj = Object.create(null);
                for (let prop of node.children) {
                    const valueNode = prop.children[1];
                    if (valueNode) {
                        obj[prop.children[0].value] = getNodeValue(valueNode);
                    }
                }
                return obj;
            case 'null':
            case 'string':
            case 'number':
            case 'boolean':
                return node.value;
            default:
                return undefined;
        }
    }
    exports.getNodeValue = getNodeValue;
    function contains(node, offset, includeRightBound = false) {
        return (offset >= node.offset && offset < (node.offset + node.length)) || includeRightBound && (offset === (node.offset + node.length));
    }
    exports.contains = contains;
    /**
     * Finds the most inner node at the given offset. If includeRightBound is set, also finds nodes that end at the given offset.
     */
    function findNodeAtOffset(node, offset, includeRightBound = false) {
        if (contains(node, offset, includeRightBound)) {
            const children = node.children;
            if (Array.isArray(children)) {
                for (let i = 0; i < children.length && children[i].offset <= offset; i++) {
                    const item = findNodeAtOffset(children[i], offset, includeRightBound);
                    if (item) {
                        return item;
                    }
                }
            }
            return node;
        }
        return undefined;
    }
    exports.findNodeAtOffset = findNodeAtOffset;
    /**
     * Parses the given text and invokes the visitor functions for each object, array and literal reached.
     */
    function visit(text, visitor, options = ParseOptions.DEFAULT) {
        const _scanner = (0, scanner_1.createScanner)(text, false);
        // Important: Only pass copies of this to visitor functions to prevent accidental modification, and
        // to not affect visitor functions which stored a reference to a previous JSONPath
        const _jsonPath = [];
        // Depth of onXXXBegin() callbacks suppressed. onXXXEnd() decrements this if it isn't 0 already.
        // Callbacks are only called when this value is 0.
        let suppressedCallbacks = 0;
        function toNoArgVisit(visitFunction) {
            return visitFunction ? () => suppressedCallbacks === 0 && visitFunction(_scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter()) : () => true;
        }
        function toOneArgVisit(visitFunction) {
            return visitFunction ? (arg) => suppressedCallbacks === 0 && visitFunction(arg, _scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter()) : () => true;
        }
        function toOneArgVisitWithPath(visitFunction) {
            return visitFunction ? (arg) => suppressedCallbacks === 0 && visitFunction(arg, _scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter(), () => _jsonPath.slice()) : () => true;
        }
        function toBeginVisit(visitFunction) {
            return visitFunction ?
                () => {
                    if (suppressedCallbacks > 0) {
                        suppressedCallbacks++;
                    }
                    else {
                        let cbReturn = visitFunction(_scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter(), () => _jsonPath.slice());
                        if (cbReturn === false) {
                            suppressedCallbacks = 1;
                        }
                    }
                }
                : () => true;
        }
        function toEndVisit(visitFunction) {
            return visitFunction ?
                () => {
                    if (suppressedCallbacks > 0) {
                        suppressedCallbacks--;
                    }
                    if (suppressedCallbacks === 0) {
                        visitFunction(_scanner.getTokenOffset(), _scanner.getTokenLength(), _scanner.getTokenStartLine(), _scanner.getTokenStartCharacter());
                    }
                }
                : () => true;
        }
        const onObjectBegin = toBeginVisit(visitor.onObjectBegin), onObjectProperty = toOneArgVisitWithPath(visitor.onObjectProperty), onObjectEnd = toEndVisit(visitor.onObjectEnd), onArrayBegin = toBeginVisit(visitor.onArrayBegin), onArrayEnd = toEndVisit(visitor.onArrayEnd), onLiteralValue = toOneArgVisitWithPath(visitor.onLiteralValue), onSeparator = toOneArgVisit(visitor.onSeparator), onComment = toNoArgVisit(visitor.onComment), onError = toOneArgVisit(visitor.onError);
        const disallowComments = options && options.disallowComments;
        const allowTrailingComma = options && options.allowTrailingComma;
        function scanNext() {
            while (true) {
                const token = _scanner.scan();
                switch (_scanner.getTokenError()) {
                    case 4 /* ScanError.InvalidUnicode */:
                        handleError(14 /* ParseErrorCode.InvalidUnicode */);
                        break;
                    case 5 /* ScanError.InvalidEscapeCharacter */:
                        handleError(15 /* ParseErrorCode.InvalidEscapeCharacter */);
                        break;
                    case 3 /* ScanError.UnexpectedEndOfNumber */:
                        handleError(13 /* ParseErrorCode.UnexpectedEndOfNumber */);
                        break;
                    case 1 /* ScanError.UnexpectedEndOfComment */:
                        if (!disallowComments) {
                            handleError(11 /* ParseErrorCode.UnexpectedEndOfComment */);
                        }
                        break;
                    case 2 /* ScanError.UnexpectedEndOfString */:
                        handleError(12 /* ParseErrorCode.UnexpectedEndOfString */);
                        break;
                    case 6 /* ScanError.InvalidCharacter */:
                        handleError(16 /* ParseErrorCode.InvalidCharacter */);
                        break;
                }
                switch (token) {
                    case 12 /* SyntaxKind.LineCommentTrivia */:
                    case 13 /* SyntaxKind.BlockCommentTrivia */:
                        if (disallowComments) {
                            handleError(10 /* ParseErrorCode.InvalidCommentToken */);
                        }
                        else {
                            onComment();
                        }
                        break;
                    case 16 /* SyntaxKind.Unknown */:
                        handleError(1 /* ParseErrorCode.InvalidSymbol */);
                        break;
                    case 15 /* SyntaxKind.Trivia */:
                    case 14 /* SyntaxKind.LineBreakTrivia */:
                        break;
                    default:
                        return token;
                }
            }
        }
        function handleError(error, skipUntilAfter = [], skipUntil = []) {
            onError(error);
            if (skipUntilAfter.length + skipUntil.length > 0) {
                let token = _scanner.getToken();
                while (token !== 17 /* SyntaxKind.EOF */) {
                    if (skipUntilAfter.indexOf(token) !== -1) {
                        scanNext();
                        break;
                    }
                    else if (skipUntil.indexOf(token) !== -1) {
                        break;
                    }
                    token = scanNext();
                }
            }
        }
        function parseString(isValue) {
            const value = _scanner.getTokenValue();
            if (isValue) {
                onLiteralValue(value);
            }
            else {
                onObjectProperty(value);
                // add property name afterwards
                _jsonPath.push(value);
            }
            scanNext();
            return true;
        }
        function parseLiteral() {
            switch (_scanner.getToken()) {
                case 11 /* SyntaxKind.NumericLiteral */:
                    const tokenValue = _scanner.getTokenValue();
                    let value = Number(tokenValue);
                    if (isNaN(value)) {
                        handleError(2 /* ParseErrorCode.InvalidNumberFormat */);
                        value = 0;
                    }
                    onLiteralValue(value);
                    break;
                case 7 /* SyntaxKind.NullKeyword */:
                    onLiteralValue(null);
                    break;
                case 8 /* SyntaxKind.TrueKeyword */:
                    onLiteralValue(true);
                    break;
                case 9 /* SyntaxKind.FalseKeyword */:
                    onLiteralValue(false);
                    break;
                default:
                    return false;
            }
            scanNext();
            return true;
        }
        function parseProperty() {
            if (_scanner.getToken() !== 10 /* SyntaxKind.StringLiteral */) {
                handleError(3 /* ParseErrorCode.PropertyNameExpected */, [], [2 /* SyntaxKind.CloseBraceToken */, 5 /* SyntaxKind.CommaToken */]);
                return false;
            }
            parseString(false);
            if (_scanner.getToken() === 6 /* SyntaxKind.ColonToken */) {
                onSeparator(':');
                scanNext(); // consume colon
                if (!parseValue()) {
                    handleError(4 /* ParseErrorCode.ValueExpected */, [], [2 /* SyntaxKind.CloseBraceToken */, 5 /* SyntaxKind.CommaToken */]);
                }
            }
            else {
                handleError(5 /* ParseErrorCode.ColonExpected */, [], [2 /* SyntaxKind.CloseBraceToken */, 5 /* SyntaxKind.CommaToken */]);
            }
            _jsonPath.pop(); // remove processed property name
            return true;
        }
        function parseObject() {
            onObjectBegin();
            scanNext(); // consume open brace
            let needsComma = false;
            while (_scanner.getToken() !== 2 /* SyntaxKind.CloseBraceToken */ && _scanner.getToken() !== 17 /* SyntaxKind.EOF */) {
                if (_scanner.getToken() === 5 /* SyntaxKind.CommaToken */) {
                    if (!needsComma) {
                        handleError(4 /* ParseErrorCode.ValueExpected */, [], []);
                    }
                    onSeparator(',');
                    scanNext(); // consume comma
                    if (_scanner.getToken() === 2 /* SyntaxKind.CloseBraceToken */ && allowTrailingComma) {
                        break;
                    }
                }
                else if (needsComma) {
                    handleError(6 /* ParseErrorCode.CommaExpected */, [], []);
                }
                if (!parseProperty()) {
                    handleError(4 /* ParseErrorCode.ValueExpected */, [], [2 /* SyntaxKind.CloseBraceToken */, 5 /* SyntaxKind.CommaToken */]);
                }
                needsComma = true;
            }
            onObjectEnd();
            if (_scanner.getToken() !== 2 /* SyntaxKind.CloseBraceToken */) {
                handleError(7 /* ParseErrorCode.CloseBraceExpected */, [2 /* SyntaxKind.CloseBraceToken */], []);
            }
            else {
                scanNext(); // consume close brace
            }
            return true;
        }
        function parseArray() {
            onArrayBegin();
            scanNext(); // consume open bracket
            let isFirstElement = true;
            let needsComma = false;
            while (_scanner.getToken() !== 4 /* SyntaxKind.CloseBracketToken */ && _scanner.getToken() !== 17 /* SyntaxKind.EOF */) {
                if (_scanner.getToken() === 5 /* SyntaxKind.CommaToken */) {
                    if (!needsComma) {
                        handleError(4 /* ParseErrorCode.ValueExpected */, [], []);
                    }
                    onSeparator(',');
                    scanNext(); // consume comma
                    if (_scanner.getToken() === 4 /* SyntaxKind.CloseBracketToken */ && allowTrailingComma) {
                        break;
                    }
                }
                else if (needsComma) {
                    handleError(6 /* ParseErrorCode.CommaExpected */, [], []);
                }
                if (isFirstElement) {
                    _jsonPath.push(0);
                    isFirstElement = false;
                }
                else {
                    _jsonPath[_jsonPath.length - 1]++;
                }
                if (!parseValue()) {
                    handleError(4 /* ParseErrorCode.ValueExpected */, [], [4 /* SyntaxKind.CloseBracketToken */, 5 /* SyntaxKind.CommaToken */]);
                }
                needsComma = true;
            }
            onArrayEnd();
            if (!isFirstElement) {
                _jsonPath.pop(); // remove array index
            }
            if (_scanner.getToken() !== 4 /* SyntaxKind.CloseBracketToken */) {
                handleError(8 /* ParseErrorCode.CloseBracketExpected */, [4 /* SyntaxKind.CloseBracketToken */], []);
            }
            else {
                scanNext(); // consume close bracket
            }
            return true;
        }
        function parseValue() {
            switch (_scanner.getToken()) {
                case 3 /* SyntaxKind.OpenBracketToken */:
                    return parseArray();
                case 1 /* SyntaxKind.OpenBraceToken */:
                    return parseObject();
                case 10 /* SyntaxKind.StringLiteral */:
                    return parseString(true);
                default:
                    return parseLiteral();
            }
        }
        scanNext();
        if (_scanner.getToken() === 17 /* SyntaxKind.EOF */) {
            if (options.allowEmptyContent) {
                return true;
            }
            handleError(4 /* ParseErrorCode.ValueExpected */, [], []);
            return false;
        }
        if (!parseValue()) {
            handleError(4 /* ParseErrorCode.ValueExpected */, [], []);
            return false;
        }
        if (_scanner.getToken() !== 17 /* SyntaxKind.EOF */) {
            handleError(9 /* ParseErrorCode.EndOfFileExpected */, [], []);
        }
        return true;
    }
    exports.visit = visit;
    /**
     * Takes JSON with JavaScript-style comments and remove
     * them. Optionally replaces every none-newline character
     * of comments with a replaceCharacter
     */
    function stripComments(text, replaceCh) {
        let _scanner = (0, scanner_1.createScanner)(text), parts = [], kind, offset = 0, pos;
        do {
            pos = _scanner.getPosition();
            kind = _scanner.scan();
            switch (kind) {
                case 12 /* SyntaxKind.LineCommentTrivia */:
                case 13 /* SyntaxKind.BlockCommentTrivia */:
                case 17 /* SyntaxKind.EOF */:
                    if (offset !== pos) {
                        parts.push(text.substring(offset, pos));
                    }
                    if (replaceCh !== undefined) {
                        parts.push(_scanner.getTokenValue().replace(/[^\r\n]/g, replaceCh));
                    }
                    offset = _scanner.getPosition();
                    break;
            }
        } while (kind !== 17 /* SyntaxKind.EOF */);
        return parts.join('');
    }
    exports.stripComments = stripComments;
    function getNodeType(value) {
        switch (typeof value) {
            case 'boolean': return 'boolean';
            case 'number': return 'number';
            case 'string': return 'string';
            case 'object': {
                if (!value) {
                    return 'null';
                }
                else if (Array.isArray(value)) {
                    return 'array';
                }
                return 'object';
            }
            default: return 'null';
        }
    }
    exports.getNodeType = getNodeType;
});


/***/ }),

/***/ 525:
/***/ ((module, exports) => {

(function (factory) {
    if ( true && typeof module.exports === "object") {
        var v = factory(__WEBPACK_EXTERNAL_createRequire(import.meta.url), exports);
        if (v !== undefined) module.exports = v;
    }
    else if (typeof define === "function" && define.amd) {
        define(["require", "exports"], factory);
    }
})(function () {
    /*---------------------------------------------------------------------------------------------
     *  Copyright (c) Microsoft Corporation. All rights reserved.
     *  Licensed under the MIT License. See License.txt in the project root for license information.
     *--------------------------------------------------------------------------------------------*/
    'use strict';
    Object.defineProperty(exports, "__esModule", ({ value: true }));
    exports.createScanner = void 0;
    /**
     * Creates a JSON scanner on the given text.
     * If ignoreTrivia is set, whitespaces or comments are ignored.
     */
    function createScanner(text, ignoreTrivia = false) {
        const len = text.length;
        let pos = 0, value = '', tokenOffset = 0, token = 16 /* SyntaxKind.Unknown */, lineNumber = 0, lineStartOffset = 0, tokenLineStartOffset = 0, prevTokenLineStartOffset = 0, scanError = 0 /* ScanError.None */;
        function scanHexDigits(count, exact) {
            let digits = 0;
            let value = 0;
            while (digits < count || !exact) {
                let ch = text.charCodeAt(pos);
                if (ch >= 48 /* CharacterCodes._0 */ && ch <= 57 /* CharacterCodes._9 */) {
                    value = value * 16 + ch - 48 /* CharacterCodes._0 */;
                }
                else if (ch >= 65 /* CharacterCodes.A */ && ch <= 70 /* CharacterCodes.F */) {
                    value = value * 16 + ch - 65 /* CharacterCodes.A */ + 10;
                }
                else if (ch >= 97 /* CharacterCodes.a */ && ch <= 102 /* CharacterCodes.f */) {
                    value = value * 16 + ch - 97 /* CharacterCodes.a */ + 10;
                }
                else {
                    break;
                }
                pos++;
                digits++;
            }
            if (digits < count) {
                value = -1;
            }
            return value;
        }
        function setPosition(newPosition) {
            pos = newPosition;
            value = '';
            tokenOffset = 0;
            token = 16 /* SyntaxKind.Unknown */;
            scanError = 0 /* ScanError.None */;
        }
        function scanNumber() {
            let start = pos;
            if (text.charCodeAt(pos) === 48 /* CharacterCodes._0 */) {
                pos++;
            }
            else {
                pos++;
                while (pos < text.length && isDigit(text.charCodeAt(pos))) {
                    pos++;
                }
            }
            if (pos < text.length && text.charCodeAt(pos) === 46 /* CharacterCodes.dot */) {
                pos++;
                if (pos < text.length && isDigit(text.charCodeAt(pos))) {
                    pos++;
                    while (pos < text.length && isDigit(text.charCodeAt(pos))) {
                        pos++;
                    }
                }
                else {
                    scanError = 3 /* ScanError.UnexpectedEndOfNumber */;
                    return text.substring(start, pos);
                }
            }
            let end = pos;
            if (pos < text.length && (text.charCodeAt(pos) === 69 /* CharacterCodes.E */ || text.charCodeAt(pos) === 101 /* CharacterCodes.e */)) {
                pos++;
                if (pos < text.length && text.charCodeAt(pos) === 43 /* CharacterCodes.plus */ || text.charCodeAt(pos) === 45 /* CharacterCodes.minus */) {
                    pos++;
                }
                if (pos < text.length && isDigit(text.charCodeAt(pos))) {
                    pos++;
                    while (pos < text.length && isDigit(text.charCodeAt(pos))) {
                        pos++;
                    }
                    end = pos;
                }
                else {
                    scanError = 3 /* ScanError.UnexpectedEndOfNumber */;
                }
            }
            return text.substring(start, end);
        }
        function scanString() {
            let result = '', start = pos;
            while (true) {
                if (pos >= len) {
                    result += text.substring(start, pos);
                    scanError = 2 /* ScanError.UnexpectedEndOfString */;
                    break;
                }
                const ch = text.charCodeAt(pos);
                if (ch === 34 /* CharacterCodes.doubleQuote */) {
                    result += text.substring(start, pos);
                    pos++;
                    break;
                }
                if (ch === 92 /* CharacterCodes.backslash */) {
                    result += text.substring(start, pos);
                    pos++;
                    if (pos >= len) {
                        scanError = 2 /* ScanError.UnexpectedEndOfString */;
                        break;
                    }
                    const ch2 = text.charCodeAt(pos++);
                    switch (ch2) {
                        case 34 /* CharacterCodes.doubleQuote */:
                            result += '\"';
                            break;
                        case 92 /* CharacterCodes.backslash */:
                            result += '\\';
                            break;
                        case 47 /* CharacterCodes.slash */:
                            result += '/';
                            break;
                        case 98 /* CharacterCodes.b */:
                            result += '\b';
                            break;
                        case 102 /* CharacterCodes.f */:
                            result += '\f';
                            break;
                        case 110 /* CharacterCodes.n */:
                            result += '\n';
                            break;
                        case 114 /* CharacterCodes.r */:
                            result += '\r';
                            break;
                        case 116 /* CharacterCodes.t */:
                            result += '\t';
                            break;
                        case 117 /* CharacterCodes.u */:
                            const ch3 = scanHexDigits(4, true);
                            if (ch3 >= 0) {
                                result += String.fromCharCode(ch3);
                            }
                            else {
                                scanError = 4 /* ScanError.InvalidUnicode */;
                            }
                            break;
                        default:
                            scanError = 5 /* ScanError.InvalidEscapeCharacter */;
                    }
                    start = pos;
                    continue;
                }
                if (ch >= 0 && ch <= 0x1f) {
                    if (isLineBreak(ch)) {
                        result += text.substring(start, pos);
                        scanError = 2 /* ScanError.UnexpectedEndOfString */;
                        break;
                    }
                    else {
                        scanError = 6 /* ScanError.InvalidCharacter */;
                        // mark as error but continue with string
                    }
                }
                pos++;
            }
            return result;
        }
        function scanNext() {
            value = '';
            scanError = 0 /* ScanError.None */;
            tokenOffset = pos;
            lineStartOffset = lineNumber;
            prevTokenLineStartOffset = tokenLineStartOffset;
            if (pos >= len) {
                // at the end
                tokenOffset = len;
                return token = 17 /* SyntaxKind.EOF */;
            }
            let code = text.charCodeAt(pos);
            // trivia: whitespace
            if (isWhiteSpace(code)) {
                do {
                    pos++;
                    value += String.fromCharCode(code);
                    code = text.charCodeAt(pos);
                } while (isWhiteSpace(code));
                return token = 15 /* SyntaxKind.Trivia */;
            }
            // trivia: newlines
            if (isLineBreak(code)) {
                pos++;
                value += String.fromCharCode(code);
                if (code === 13 /* CharacterCodes.carriageReturn */ && text.charCodeAt(pos) === 10 /* CharacterCodes.lineFeed */) {
                    pos++;
                    value += '\n';
                }
                lineNumber++;
                tokenLineStartOffset = pos;
                return token = 14 /* SyntaxKind.LineBreakTrivia */;
            }
            switch (code) {
                // tokens: []{}:,
                case 123 /* CharacterCodes.openBrace */:
                    pos++;
                    return token = 1 /* SyntaxKind.OpenBraceToken */;
                case 125 /* CharacterCodes.closeBrace */:
                    pos++;
                    return token = 2 /* SyntaxKind.CloseBraceToken */;
                case 91 /* CharacterCodes.openBracket */:
                    pos++;
                    return token = 3 /* SyntaxKind.OpenBracketToken */;
                case 93 /* CharacterCodes.closeBracket */:
                    pos++;
                    return token = 4 /* SyntaxKind.CloseBracketToken */;
                case 58 /* CharacterCodes.colon */:
                    pos++;
                    return token = 6 /* SyntaxKind.ColonToken */;
                case 44 /* CharacterCodes.comma */:
                    pos++;
                    return token = 5 /* SyntaxKind.CommaToken */;
                // strings
                case 34 /* CharacterCodes.doubleQuote */:
                    pos++;
                    value = scanString();
                    return token = 10 /* SyntaxKind.StringLiteral */;
                // comments
                case 47 /* CharacterCodes.slash */:
                    const start = pos - 1;
                    // Single-line comment
                    if (text.charCodeAt(pos + 1) === 47 /* CharacterCodes.slash */) {
                        pos += 2;
                        while (pos < len) {
                            if (isLineBreak(text.charCodeAt(pos))) {
                                break;
                            }
                            pos++;
                        }
                        value = text.substring(start, pos);
                        return token = 12 /* SyntaxKind.LineCommentTrivia */;
                    }
                    // Multi-line comment
                    if (text.charCodeAt(pos + 1) === 42 /* CharacterCodes.asterisk */) {
                        pos += 2;
                        const safeLength = len - 1; // For lookahead.
                        let commentClosed = false;
                        while (pos < safeLength) {
                            const ch = text.charCodeAt(pos);
                            if (ch === 42 /* CharacterCodes.asterisk */ && text.charCodeAt(pos + 1) === 47 /* CharacterCodes.slash */) {
                                pos += 2;
                                commentClosed = true;
                                break;
                            }
                            pos++;
                            if (isLineBreak(ch)) {
                                if (ch === 13 /* CharacterCodes.carriageReturn */ && text.charCodeAt(pos) === 10 /* CharacterCodes.lineFeed */) {
                                    pos++;
                                }
                                lineNumber++;
                                tokenLineStartOffset = pos;
                            }
                        }
                        if (!commentClosed) {
                            pos++;
                            scanError = 1 /* ScanError.UnexpectedEndOfComment */;
                        }
                        value = text.substring(start, pos);
                        return token = 13 /* SyntaxKind.BlockCommentTrivia */;
                    }
                    // just a single slash
                    value += String.fromCharCode(code);
                    pos++;
                    return token = 16 /* SyntaxKind.Unknown */;
                // numbers
                case 45 /* CharacterCodes.minus */:
                    value += String.fromCharCode(code);
                    pos++;
                    if (pos === len || !isDigit(text.charCodeAt(pos))) {
                        return token = 16 /* SyntaxKind.Unknown */;
                    }
                // found a minus, followed by a number so
                // we fall through to proceed with scanning
                // numbers
                case 48 /* CharacterCodes._0 */:
                case 49 /* CharacterCodes._1 */:
                case 50 /* CharacterCodes._2 */:
                case 51 /* CharacterCodes._3 */:
                case 52 /* CharacterCodes._4 */:
                case 53 /* CharacterCodes._5 */:
                case 54 /* CharacterCodes._6 */:
                case 55 /* CharacterCodes._7 */:
                case 56 /* CharacterCodes._8 */:
                case 57 /* CharacterCodes._9 */:
                    value += scanNumber();
                    return token = 11 /* SyntaxKind.NumericLiteral */;
                // literals and unknown symbols
                default:
                    // is a literal? Read the full word.
                    while (pos < len && isUnknownContentCharacter(code)) {
                        pos++;
                        code = text.charCodeAt(pos);
                    }
                    if (tokenOffset !== pos) {
                        value = text.substring(tokenOffset, pos);
                        // keywords: true, false, null
                        switch (value) {
                            case 'true': return token = 8 /* SyntaxKind.TrueKeyword */;
                            case 'false': return token = 9 /* SyntaxKind.FalseKeyword */;
                            case 'null': return token = 7 /* SyntaxKind.NullKeyword */;
                        }
                        return token = 16 /* SyntaxKind.Unknown */;
                    }
                    // some
                    value += String.fromCharCode(code);
                    pos++;
                    return token = 16 /* SyntaxKind.Unknown */;
            }
        }
        function isUnknownContentCharacter(code) {
            if (isWhiteSpace(code) || isLineBreak(code)) {
                return false;
            }
            switch (code) {
                case 125 /* CharacterCodes.closeBrace */:
                case 93 /* CharacterCodes.closeBracket */:
                case 123 /* CharacterCodes.openBrace */:
                case 91 /* CharacterCodes.openBracket */:
                case 34 /* CharacterCodes.doubleQuote */:
                case 58 /* CharacterCodes.colon */:
                case 44 /* CharacterCodes.comma */:
                case 47 /* CharacterCodes.slash */:
                    return false;
            }
            return true;
        }
        function scanNextNonTrivia() {
            let result;
            do {
                result = scanNext();
            } while (result >= 12 /* SyntaxKind.LineCommentTrivia */ && result <= 15 /* SyntaxKind.Trivia */);
            return result;
        }
        return {
            setPosition: setPosition,
            getPosition: () => pos,
            scan: ignoreTrivia ? scanNextNonTrivia : scanNext,
            getToken: () => token,
            getTokenValue: () => value,
            getTokenOffset: () => tokenOffset,
            getTokenLength: () => pos - tokenOffset,
            getTokenStartLine: () => lineStartOffset,
            getTokenStartCharacter: () => tokenOffset - prevTokenLineStartOffset,
            getTokenError: () => scanError,
        };
    }
    exports.createScanner = createScanner;
    function isWhiteSpace(ch) {
        return ch === 32 /* CharacterCodes.space */ || ch === 9 /* CharacterCodes.tab */;
    }
    function isLineBreak(ch) {
        return ch === 10 /* CharacterCodes.lineFeed */ || ch === 13 /* CharacterCodes.carriageReturn */;
    }
    function isDigit(ch) {
        return ch >= 48 /* CharacterCodes._0 */ && ch <= 57 /* CharacterCodes._9 */;
    }
    var CharacterCodes;
    (function (CharacterCodes) {
        CharacterCodes[CharacterCodes["lineFeed"] = 10] = "lineFeed";
        CharacterCodes[CharacterCodes["carriageReturn"] = 13] = "carriageReturn";
        CharacterCodes[CharacterCodes["space"] = 32] = "space";
        CharacterCodes[CharacterCodes["_0"] = 48] = "_0";
        CharacterCodes[CharacterCodes["_1"] = 49] = "_1";
        CharacterCodes[CharacterCodes["_2"] = 50] = "_2";
        CharacterCodes[CharacterCodes["_3"] = 51] = "_3";
        CharacterCodes[CharacterCodes["_4"] = 52] = "_4";
        CharacterCodes[CharacterCodes["_5"] = 53] = "_5";
        CharacterCodes[CharacterCodes["_6"] = 54] = "_6";
        CharacterCodes[CharacterCodes["_7"] = 55] = "_7";
        CharacterCodes[CharacterCodes["_8"] = 56] = "_8";
        CharacterCodes[CharacterCodes["_9"] = 57] = "_9";
        CharacterCodes[CharacterCodes["a"] = 97] = "a";
        CharacterCodes[CharacterCodes["b"] = 98] = "b";
        CharacterCodes[CharacterCodes["c"] = 99] = "c";
        CharacterCodes[CharacterCodes["d"] = 100] = "d";
        CharacterCodes[CharacterCodes["e"] = 101] = "e";
        CharacterCodes[CharacterCodes["f"] = 102] = "f";
        CharacterCodes[CharacterCodes["g"] = 103] = "g";
        CharacterCodes[CharacterCodes["h"] = 104] = "h";
        CharacterCodes[CharacterCodes["i"] = 105] = "i";
        CharacterCodes[CharacterCodes["j"] = 106] = "j";
        CharacterCodes[CharacterCodes["k"] = 107] = "k";
        CharacterCodes[CharacterCodes["l"] = 108] = "l";
        CharacterCodes[CharacterCodes["m"] = 109] = "m";
        CharacterCodes[CharacterCodes["n"] = 110] = "n";
        CharacterCodes[CharacterCodes["o"] = 111] = "o";
        CharacterCodes[CharacterCodes["p"] = 112] = "p";
        CharacterCodes[CharacterCodes["q"] = 113] = "q";
        CharacterCodes[CharacterCodes["r"] = 114] = "r";
        CharacterCodes[CharacterCodes["s"] = 115] = "s";
        CharacterCodes[CharacterCodes["t"] = 116] = "t";
        CharacterCodes[CharacterCodes["u"] = 117] = "u";
        CharacterCodes[CharacterCodes["v"] = 118] = "v";
        CharacterCodes[CharacterCodes["w"] = 119] = "w";
        CharacterCodes[CharacterCodes["x"] = 120] = "x";
        CharacterCodes[CharacterCodes["y"] = 121] = "y";
        CharacterCodes[CharacterCodes["z"] = 122] = "z";
        CharacterCodes[CharacterCodes["A"] = 65] = "A";
        CharacterCodes[CharacterCodes["B"] = 66] = "B";
        CharacterCodes[CharacterCodes["C"] = 67] = "C";
        CharacterCodes[CharacterCodes["D"] = 68] = "D";
        CharacterCodes[CharacterCodes["E"] = 69] = "E";
        CharacterCodes[CharacterCodes["F"] = 70] = "F";
        CharacterCodes[CharacterCodes["G"] = 71] = "G";
        CharacterCodes[CharacterCodes["H"] = 72] = "H";
        CharacterCodes[CharacterCodes["I"] = 73] = "I";
        CharacterCodes[CharacterCodes["J"] = 74] = "J";
        CharacterCodes[CharacterCodes["K"] = 75] = "K";
        CharacterCodes[CharacterCodes["L"] = 76] = "L";
        CharacterCodes[CharacterCodes["M"] = 77] = "M";
        CharacterCodes[CharacterCodes["N"] = 78] = "N";
        CharacterCodes[CharacterCodes["O"] = 79] = "O";
        CharacterCodes[CharacterCodes["P"] = 80] = "P";
        CharacterCodes[CharacterCodes["Q"] = 81] = "Q";
        CharacterCodes[CharacterCodes["R"] = 82] = "R";
        CharacterCodes[CharacterCodes["S"] = 83] = "S";
        CharacterCodes[CharacterCodes["T"] = 84] = "T";
        CharacterCodes[CharacterCodes["U"] = 85] = "U";
        CharacterCodes[CharacterCodes["V"] = 86] = "V";
        CharacterCodes[CharacterCodes["W"] = 87] = "W";
        CharacterCodes[CharacterCodes["X"] = 88] = "X";
        CharacterCodes[CharacterCodes["Y"] = 89] = "Y";
        CharacterCodes[CharacterCodes["Z"] = 90] = "Z";
        CharacterCodes[CharacterCodes["asterisk"] = 42] = "asterisk";
        CharacterCodes[CharacterCodes["backslash"] = 92] = "backslash";
        CharacterCodes[CharacterCodes["closeBrace"] = 125] = "closeBrace";
        CharacterCodes[CharacterCodes["closeBracket"] = 93] = "closeBracket";
        CharacterCodes[CharacterCodes["colon"] = 58] = "colon";
        CharacterCodes[CharacterCodes["comma"] = 44] = "comma";
        CharacterCodes[CharacterCodes["dot"] = 46] = "dot";
        CharacterCodes[CharacterCodes["doubleQuote"] = 34] = "doubleQuote";
        CharacterCodes[CharacterCodes["minus"] = 45] = "minus";
        CharacterCodes[CharacterCodes["openBrace"] = 123] = "openBrace";
        CharacterCodes[CharacterCodes["openBracket"] = 91] = "openBracket";
        CharacterCodes[CharacterCodes["plus"] = 43] = "plus";
        CharacterCodes[CharacterCodes["slash"] = 47] = "slash";
        CharacterCodes[CharacterCodes["formFeed"] = 12] = "formFeed";
        CharacterCodes[CharacterCodes["tab"] = 9] = "tab";
    })(CharacterCodes || (CharacterCodes = {}));
});


/***/ }),

/***/ 579:
/***/ ((module, exports) => {

(function (factory) {
    if ( true && typeof module.exports === "object") {
        var v = factory(__WEBPACK_EXTERNAL_createRequire(import.meta.url), exports);
        if (v !== undefined) module.exports = v;
    }
    else if (typeof define === "function" && define.amd) {
        define(["require", "exports"], factory);
    }
})(function () {
    "use strict";
    Object.defineProperty(exports, "__esModule", ({ value: true }));
    exports.supportedEols = exports.cachedBreakLinesWithSpaces = exports.cachedSpaces = void 0;
    exports.cachedSpaces = new Array(20).fill(0).map((_, index) => {
        return ' '.repeat(index);
    });
    const maxCachedValues = 200;
    exports.cachedBreakLinesWithSpaces = {
        ' ': {
            '\n': new Array(maxCachedValues).fill(0).map((_, index) => {
                return '\n' + ' '.repeat(index);
            }),
            '\r': new Array(maxCachedValues).fill(0).map((_, index) => {
                return '\r' + ' '.repeat(index);
            }),
            '\r\n': new Array(maxCachedValues).fill(0).map((_, index) => {
                return '\r\n' + ' '.repeat(index);
            }),
        },
        '\t': {
            '\n': new Array(maxCachedValues).fill(0).map((_, index) => {
                return '\n' + '\t'.repeat(index);
            }),
            '\r': new Array(maxCachedValues).fill(0).map((_, index) => {
                return '\r' + '\t'.repeat(index);
            }),
            '\r\n': new Array(maxCachedValues).fill(0).map((_, index) => {
                return '\r\n' + '\t'.repeat(index);
            }),
        }
    };
    exports.supportedEols = ['\n', '\r', '\r\n'];
});


/***/ }),

/***/ 547:
/***/ ((module, exports, __nccwpck_require__) => {

(function (factory) {
    if ( true && typeof module.exports === "object") {
        var v = factory(__WEBPACK_EXTERNAL_createRequire(import.meta.url), exports);
        if (v !== undefined) module.exports = v;
    }
    else if (typeof define === "function" && define.amd) {
        define(["require", "exports", "./impl/format", "./impl/edit", "./impl/scanner", "./impl/parser"], factory);
    }
})(function () {
    /*---------------------------------------------------------------------------------------------
     *  Copyright (c) Microsoft Corporation. All rights reserved.
     *  Licensed under the MIT License. See License.txt in the project root for license information.
     *--------------------------------------------------------------------------------------------*/
    'use strict';
    Object.defineProperty(exports, "__esModule", ({ value: true }));
    exports.applyEdits = exports.modify = exports.format = exports.printParseErrorCode = exports.ParseErrorCode = exports.stripComments = exports.visit = exports.getNodeValue = exports.getNodePath = exports.findNodeAtOffset = exports.findNodeAtLocation = exports.parseTree = exports.parse = exports.getLocation = exports.SyntaxKind = exports.ScanError = exports.createScanner = void 0;
    const formatter = __nccwpck_require__(612);
    const edit = __nccwpck_require__(807);
    const scanner = __nccwpck_require__(525);
    const parser = __nccwpck_require__(152);
    /**
     * Creates a JSON scanner on the given text.
     * If ignoreTrivia is set, whitespaces or comments are ignored.
     */
    exports.createScanner = scanner.createScanner;
    var ScanError;
    (function (ScanError) {
        ScanError[ScanError["None"] = 0] = "None";
        ScanError[ScanError["UnexpectedEndOfComment"] = 1] = "UnexpectedEndOfComment";
        ScanError[ScanError["UnexpectedEndOfString"] = 2] = "UnexpectedEndOfString";
        ScanError[ScanError["UnexpectedEndOfNumber"] = 3] = "UnexpectedEndOfNumber";
        ScanError[ScanError["InvalidUnicode"] = 4] = "InvalidUnicode";
        ScanError[ScanError["InvalidEscapeCharacter"] = 5] = "InvalidEscapeCharacter";
        ScanError[ScanError["InvalidCharacter"] = 6] = "InvalidCharacter";
    })(ScanError || (exports.ScanError = ScanError = {}));
    var SyntaxKind;
    (function (SyntaxKind) {
        SyntaxKind[SyntaxKind["OpenBraceToken"] = 1] = "OpenBraceToken";
        SyntaxKind[SyntaxKind["CloseBraceToken"] = 2] = "CloseBraceToken";
        SyntaxKind[SyntaxKind["OpenBracketToken"] = 3] = "OpenBracketToken";
        SyntaxKind[SyntaxKind["CloseBracketToken"] = 4] = "CloseBracketToken";
        SyntaxKind[SyntaxKind["CommaToken"] = 5] = "CommaToken";
        SyntaxKind[SyntaxKind["ColonToken"] = 6] = "ColonToken";
        SyntaxKind[SyntaxKind["NullKeyword"] = 7] = "NullKeyword";
        SyntaxKind[SyntaxKind["TrueKeyword"] = 8] = "TrueKeyword";
        SyntaxKind[SyntaxKind["FalseKeyword"] = 9] = "FalseKeyword";
        SyntaxKind[SyntaxKind["StringLiteral"] = 10] = "StringLiteral";
        SyntaxKind[SyntaxKind["NumericLiteral"] = 11] = "NumericLiteral";
        SyntaxKind[SyntaxKind["LineCommentTrivia"] = 12] = "LineCommentTrivia";
        SyntaxKind[SyntaxKind["BlockCommentTrivia"] = 13] = "BlockCommentTrivia";
        SyntaxKind[SyntaxKind["LineBreakTrivia"] = 14] = "LineBreakTrivia";
        SyntaxKind[SyntaxKind["Trivia"] = 15] = "Trivia";
        SyntaxKind[SyntaxKind["Unknown"] = 16] = "Unknown";
        SyntaxKind[SyntaxKind["EOF"] = 17] = "EOF";
    })(SyntaxKind || (exports.SyntaxKind = SyntaxKind = {}));
    /**
     * For a given offset, evaluate the location in the JSON document. Each segment in the location path is either a property name or an array index.
     */
    exports.getLocation = parser.getLocation;
    /**
     * Parses the given text and returns the object the JSON content represents. On invalid input, the parser tries to be as fault tolerant as possible, but still return a result.
     * Therefore, always check the errors list to find out if the input was valid.
     */
    exports.parse = parser.parse;
    /**
     * Parses the given text and returns a tree representation the JSON content. On invalid input, the parser tries to be as fault tolerant as possible, but still return a result.
     */
    exports.parseTree = parser.parseTree;
    /**
     * Finds the node at the given path in a JSON DOM.
     */
    exports.findNodeAtLocation = parser.findNodeAtLocation;
    /**
     * Finds the innermost node at the given offset. If includeRightBound is set, also finds nodes that end at the given offset.
     */
    exports.findNodeAtOffset = parser.findNodeAtOffset;
    /**
     * Gets the JSON path of the given JSON DOM node
     */
    exports.getNodePath = parser.getNodePath;
    /**
     * Evaluates the JavaScript object of the given JSON DOM node
     */
    exports.getNodeValue = parser.getNodeValue;
    /**
     * Parses the given text and invokes the visitor functions for each object, array and literal reached.
     */
    exports.visit = parser.visit;
    /**
     * Takes JSON with JavaScript-style comments and remove
     * them. Optionally replaces every none-newline character
     * of comments with a replaceCharacter
     */
    exports.stripComments = parser.stripComments;
    var ParseErrorCode;
    (function (ParseErrorCode) {
        ParseErrorCode[ParseErrorCode["InvalidSymbol"] = 1] = "InvalidSymbol";
        ParseErrorCode[ParseErrorCode["InvalidNumberFormat"] = 2] = "InvalidNumberFormat";
        ParseErrorCode[ParseErrorCode["PropertyNameExpected"] = 3] = "PropertyNameExpected";
        ParseErrorCode[ParseErrorCode["ValueExpected"] = 4] = "ValueExpected";
        ParseErrorCode[ParseErrorCode["ColonExpected"] = 5] = "ColonExpected";
        ParseErrorCode[ParseErrorCode["CommaExpected"] = 6] = "CommaExpected";
        ParseErrorCode[ParseErrorCode["CloseBraceExpected"] = 7] = "CloseBraceExpected";
        ParseErrorCode[ParseErrorCode["CloseBracketExpected"] = 8] = "CloseBracketExpected";
        ParseErrorCode[ParseErrorCode["EndOfFileExpected"] = 9] = "EndOfFileExpected";
        ParseErrorCode[ParseErrorCode["InvalidCommentToken"] = 10] = "InvalidCommentToken";
        ParseErrorCode[ParseErrorCode["UnexpectedEndOfComment"] = 11] = "UnexpectedEndOfComment";
        ParseErrorCode[ParseErrorCode["UnexpectedEndOfString"] = 12] = "UnexpectedEndOfString";
        ParseErrorCode[ParseErrorCode["UnexpectedEndOfNumber"] = 13] = "UnexpectedEndOfNumber";
        ParseErrorCode[ParseErrorCode["InvalidUnicode"] = 14] = "InvalidUnicode";
        ParseErrorCode[ParseErrorCode["InvalidEscapeCharacter"] = 15] = "InvalidEscapeCharacter";
        ParseErrorCode[ParseErrorCode["InvalidCharacter"] = 16] = "InvalidCharacter";
    })(ParseErrorCode || (exports.ParseErrorCode = ParseErrorCode = {}));
    function printParseErrorCode(code) {
        switch (code) {
            case 1 /* ParseErrorCode.InvalidSymbol */: return 'InvalidSymbol';
            case 2 /* ParseErrorCode.InvalidNumberFormat */: return 'InvalidNumberFormat';
            case 3 /* ParseErrorCode.PropertyNameExpected */: return 'PropertyNameExpected';
            case 4 /* ParseErrorCode.ValueExpected */: return 'ValueExpected';
            case 5 /* ParseErrorCode.ColonExpected */: return 'ColonExpected';
            case 6 /* ParseErrorCode.CommaExpected */: return 'CommaExpected';
            case 7 /* ParseErrorCode.CloseBraceExpected */: return 'CloseBraceExpected';
            case 8 /* ParseErrorCode.CloseBracketExpected */: return 'CloseBracketExpected';
            case 9 /* ParseErrorCode.EndOfFileExpected */: return 'EndOfFileExpected';
            case 10 /* ParseErrorCode.InvalidCommentToken */: return 'InvalidCommentToken';
            case 11 /* ParseErrorCode.UnexpectedEndOfComment */: return 'UnexpectedEndOfComment';
            case 12 /* ParseErrorCode.UnexpectedEndOfString */: return 'UnexpectedEndOfString';
            case 13 /* ParseErrorCode.UnexpectedEndOfNumber */: return 'UnexpectedEndOfNumber';
            case 14 /* ParseErrorCode.InvalidUnicode */: return 'InvalidUnicode';
            case 15 /* ParseErrorCode.InvalidEscapeCharacter */: return 'InvalidEscapeCharacter';
            case 16 /* ParseErrorCode.InvalidCharacter */: return 'InvalidCharacter';
        }
        return '<unknown ParseErrorCode>';
    }
    exports.printParseErrorCode = printParseErrorCode;
    /**
     * Computes the edit operations needed to format a JSON document.
     *
     * @param documentText The input text
     * @param range The range to format or `undefined` to format the full content
     * @param options The formatting options
     * @returns The edit operations describing the formatting changes to the original document following the format described in {@linkcode EditResult}.
     * To apply the edit operations to the input, use {@linkcode applyEdits}.
     */
    function format(documentText, range, options) {
        return formatter.format(documentText, range, options);
    }
    exports.format = format;
    /**
     * Computes the edit operations needed to modify a value in the JSON document.
     *
     * @param documentText The input text
     * @param path The path of the value to change. The path represents either to the document root, a property or an array item.
     * If the path points to an non-existing property or item, it will be created.
     * @param value The new value for the specified property or item. If the value is undefined,
     * the property or item will be removed.
     * @param options Options
     * @returns The edit operations describing the changes to the original document, following the format described in {@linkcode EditResult}.
     * To apply the edit operations to the input, use {@linkcode applyEdits}.
     */
    function modify(text, path, value, options) {
        return edit.setProperty(text, path, value, options);
    }
    exports.modify = modify;
    /**
     * Applies edits to an input string.
     * @param text The input text
     * @param edits Edit operations following the format described in {@linkcode EditResult}.
     * @returns The text with the applied edits.
     * @throws An error if the edit operations are not well-formed as described in {@linkcode EditResult}.
     */
    function applyEdits(text, edits) {
        let sortedEdits = edits.slice(0).sort((a, b) => {
            const diff = a.offset - b.offset;
            if (diff === 0) {
                return a.length - b.length;
            }
            return diff;
        });
        let lastModifiedOffset = text.length;
        for (let i = sortedEdits.length - 1; i >= 0; i--) {
            let e = sortedEdits[i];
            if (e.offset + e.length <= lastModifiedOffset) {
                text = edit.applyEdit(text, e);
            }
            else {
                throw new Error('Overlapping edit');
            }
            lastModifiedOffset = e.offset;
        }
        return text;
    }
    exports.applyEdits = applyEdits;
});


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/snapshot/thread-protocol.ts
const SNAPSHOT_THREAD_ROLE = 'toron-testops/snapshot-writer';

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
var external_node_fs_default = /*#__PURE__*/__nccwpck_require__.n(external_node_fs_namespaceObject);
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
var external_node_zlib_default = /*#__PURE__*/__nccwpck_require__.n(external_node_zlib_namespaceObject);
// EXTERNAL MODULE: ./node_modules/jsonc-parser/lib/umd/main.js
var main = __nccwpck_require__(547);
;// CONCATENATED MODULE: ./src/util/printable.ts
/**
 * Characters that must never reach a console or a log as they are: C0 and C1 controls (ESC starts a
 * terminal escape sequence, NUL and CR garble CI logs) and the invisible format characters that
 * reorder or hide text (bidi overrides, zero-width). Tab is kept.
 */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
/** Text from outside (an engine, a dataset), made safe to print: every unsafe character becomes a visible `\xNN` or `\uNNNN`. */
function escapeControls(s) {
    return s.replace(UNSAFE, (c) => {
        const n = c.charCodeAt(0);
        return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
    });
}
/**
 * The text of one event as lines of a log (run.log, the console): escaped as by escapeControls, and
 * every line after the first indented, so a line feed in quoted engine or dataset text (an answer's
 * member name in a JSON Schema error, a case's pointer, a regex) cannot start a line that reads as an
 * event of its own ("2026-... INFO  [runner] done: PASS" in a failed run).
 */
function logText(s) {
    return escapeControls(s).replace(/\n/g, '\n    ');
}

;// CONCATENATED MODULE: ./src/util/errors.ts

/**
 * Bad input from the user (config, dataset, registry, flags). The run ends with ERROR and this message;
 * it always names the file, and the line and field when there is one.
 */
class errors_InputError extends Error {
    file;
    line;
    column;
    /** JSON Pointer of the offending field. */
    pointer;
    caseId;
    constructor(message, where = {}) {
        super(formatInputError(message, where));
        this.name = 'InputError';
        Object.assign(this, where);
    }
}
function formatInputError(message, w) {
    if (!w.file)
        return message;
    let at = w.file;
    if (w.line !== undefined)
        at += `:${w.line}`;
    if (w.line !== undefined && w.column !== undefined)
        at += `:${w.column}`;
    const parts = [at];
    if (w.pointer !== undefined)
        parts.push(`at ${w.pointer === '' ? '(root)' : w.pointer}`);
    // Quoted as JSON: an id with a line break must not start a fake line in a log.
    if (w.caseId !== undefined)
        parts.push(`case ${escapeControls(JSON.stringify(w.caseId))}`);
    return `${parts.join(' ')}: ${message}`;
}
/** The engine could not be reached or its wiring is broken: ERROR, never a test verdict. */
class WiringError extends Error {
    constructor(message) {
        super(message);
        this.name = 'WiringError';
    }
}
function errorMessage(err) {
    return err instanceof Error ? err.message : String(err);
}

;// CONCATENATED MODULE: ./src/util/json-source.ts


/**
 * A text that is not the JSON it should be (a syntax error, a member named twice): an InputError that also
 * keeps the offset and the bare message, so that a caller who knows the file's layout can say more (a
 * dataset names the case the error is in).
 */
class JsonTextError extends errors_InputError {
    detail;
    offset;
    constructor(detail, offset, where) {
        super(detail, where);
        this.detail = detail;
        this.offset = offset;
    }
}
/** Line starts of a text, for offset -> line/column: after LF, CRLF, or a lone CR (old Mac files). */
function lineStarts(text) {
    const starts = [0];
    if (text.indexOf('\r') < 0) {
        // No CR at all (nearly every file): the engine's own search finds the line feeds, 10x faster than
        // looking at each character (26 ms for a 13 MB dataset of 100k cases).
        for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1))
            starts.push(i + 1);
        return starts;
    }
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10))
            starts.push(i + 1);
    }
    return starts;
}
function positionAt(starts, offset) {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
}
function json_source_pointerToSegments(pointer) {
    if (pointer === '')
        return [];
    if (!pointer.startsWith('/'))
        throw new Error(`not a JSON Pointer: ${pointer}`);
    return pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        // An array index as a number; a longer run of digits (no array is that long) stays the member name it
        // is, a double would round it: "12345678901234567890" must not become ...567000.
        .map((s) => (/^(0|[1-9][0-9]{0,14})$/.test(s) ? Number(s) : s));
}
function segmentsToPointer(segments) {
    return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
/** Pointers this shallow are indexed in the first pass; deeper ones build the full tree on demand. */
const INDEXED_DEPTH = 2;
/**
 * Parse strict JSON (no comments, no trailing commas). A syntax error throws an InputError with
 * file:line:column. `file` is the path as it should be printed (relative).
 *
 * Good files (what every run reads) take the fast path: JSON.parse, then one plain character scan of
 * the known-valid text records where every value of the top two levels starts (`/name`, `/cases/17`):
 * that is all a dataset of 100k cases asks for on the good path. A text JSON.parse refuses goes through
 * jsonc-parser's visitor, which names the first problem. The full node tree, which costs several times
 * more, is only built when a deeper pointer is asked for (errors).
 */
function parseJsonSource(text, file) {
    // Before any parser: the careful one (jsonc-parser) recurses, and overflows on deep enough text.
    const structure = scanStructure(text);
    if (structure.deepAt >= 0) {
        const pos = positionAt(lineStarts(text), structure.deepAt);
        throw new InputError(`nested deeper than ${MAX_JSON_DEPTH} levels`, { file, line: pos.line, column: pos.column });
    }
    let value;
    let shallow;
    let items = NO_ITEMS;
    let starts;
    try {
        value = JSON.parse(text);
        starts = lineStarts(text);
        ({ shallow, items } = shallowOffsets(text));
    }
    catch {
        ({ value, shallow, starts } = checkedParse(text, file));
    }
    if (structure.keys !== memberCount(value))
        rejectDuplicate(text, file, starts);
    let tree;
    const deepOffset = (pointer) => {
        tree ??= parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
        if (!tree)
            return 0;
        let segs = json_source_pointerToSegments(pointer);
        let node;
        while (!(node = findNodeAtLocation(tree, segs)) && segs.length > 0)
            segs = segs.slice(0, -1);
        return node?.parent?.type === 'property' ? node.parent.offset : (node ?? tree).offset;
    };
    const lineOf = (pointer) => {
        const known = shallow.get(pointer) ?? itemOffset(items, pointer);
        return positionAt(starts, known ?? deepOffset(pointer)).line;
    };
    return {
        file,
        value,
        lineOf,
        lineOfItem(array, index) {
            const at = items.get(array)?.[index];
            return at !== undefined ? positionAt(starts, at).line : lineOf(`${array}/${index}`);
        },
    };
}
const NO_ITEMS = new Map();
/** The offset of `pointer` when it names an item of an indexed array (`/cases/17`). */
function itemOffset(items, pointer) {
    if (items.size === 0)
        return undefined;
    const slash = pointer.lastIndexOf('/');
    const index = pointer.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,9})$/.test(index))
        return undefined;
    return items.get(pointer.slice(0, slash))?.[Number(index)];
}
/** The old careful path, for texts JSON.parse refuses: the first problem with its line and column. */
function checkedParse(text, file) {
    const starts = lineStarts(text);
    const shallow = new Map();
    let firstError = null;
    let depth = 0;
    let pendingKeyOffset = -1; // offset of the property name, where a property's line starts
    const record = (offset, path) => {
        if (depth > INDEXED_DEPTH)
            return;
        const p = path();
        if (p.length <= INDEXED_DEPTH)
            shallow.set(segmentsToPointer(p), pendingKeyOffset >= 0 ? pendingKeyOffset : offset);
        pendingKeyOffset = -1;
    };
    visit(text, {
        onObjectBegin: (offset, _l, _sl, _sc, path) => {
            record(offset, path);
            depth++;
        },
        onObjectEnd: () => void depth--,
        onArrayBegin: (offset, _l, _sl, _sc, path) => {
            record(offset, path);
            depth++;
        },
        onArrayEnd: () => void depth--,
        onObjectProperty: (_p, offset) => {
            if (depth <= INDEXED_DEPTH)
                pendingKeyOffset = offset;
        },
        onLiteralValue: (_v, offset, _l, _sl, _sc, path) => record(offset, path),
        onError: (code, offset) => {
            if (!firstError)
                firstError = { offset, code };
        },
    }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const err = firstError;
    if (err || text.trim() === '') {
        const offset = err ? err.offset : 0;
        const pos = positionAt(starts, offset);
        const what = err ? printParseErrorCode(err.code) : 'empty document';
        throw new JsonTextError(`invalid JSON (${what})`, offset, { file, line: pos.line, column: pos.column });
    }
    // jsonc-parser is lenient in places JSON.parse is not (e.g. control characters); JSON.parse has the last word.
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (e) {
        const m = /position (\d+)/.exec(String(e));
        const offset = m ? Number(m[1]) : 0;
        const pos = positionAt(starts, offset);
        throw new JsonTextError(`invalid JSON (${e.message})`, offset, { file, line: pos.line, column: pos.column });
    }
    return { value, shallow, starts };
}
const QUOTE = 34;
const BACKSLASH = 92;
function isSpace(c) {
    return c === 32 || c === 10 || c === 13 || c === 9;
}
/**
 * Where each value of the top INDEXED_DEPTH levels of a text JSON.parse accepted starts, by pointer:
 * a member at the offset of its name, an array item or the root at its own first character (what the
 * visitor of checkedParse records). The text is known valid, so this only tracks strings and nesting.
 */
function shallowOffsets(text) {
    const out = new Map();
    // Array items go in a list per array, not the map: a pointer string and a map entry per case cost
    // more than the scan of the case itself.
    const items = new Map();
    const n = text.length;
    let i = 0;
    const skipSpace = () => {
        while (i < n && isSpace(text.charCodeAt(i)))
            i++;
    };
    /** From an opening quote to just past the closing one: the next quote not escaped by an odd run of backslashes. */
    const skipString = () => {
        let end = text.indexOf('"', i + 1);
        for (;;) {
            if (end < 0) {
                i = n;
                return;
            }
            let b = end - 1;
            while (text.charCodeAt(b) === BACKSLASH)
                b--;
            if ((end - 1 - b) % 2 === 0)
                break;
            end = text.indexOf('"', end + 1);
        }
        i = end + 1;
    };
    /** Past a whole value of any depth. */
    const skipValue = () => {
        const c = text.charCodeAt(i);
        if (c === QUOTE)
            return skipString();
        if (c !== 123 && c !== 91) {
            // number, true, false, null: up to the next delimiter
            while (i < n) {
                const d = text.charCodeAt(i);
                if (d === 44 || d === 125 || d === 93 || isSpace(d))
                    return;
                i++;
            }
            return;
        }
        let depth = 0;
        while (i < n) {
            const d = text.charCodeAt(i);
            if (d === QUOTE) {
                skipString();
                continue;
            }
            i++;
            if (d === 123 || d === 91)
                depth++;
            else if (d === 125 || d === 93) {
                if (--depth === 0)
                    return;
            }
        }
    };
    /** Records the value at `i` (key offset `at`, or its own start) unless its array does, then walks or skips it. */
    const value = (pointer, at, depth, recorded = false) => {
        if (!recorded)
            out.set(pointer, at >= 0 ? at : i);
        const c = text.charCodeAt(i);
        if (depth >= INDEXED_DEPTH || (c !== 123 && c !== 91))
            return skipValue();
        i++;
        skipSpace();
        if (c === 91) {
            const list = [];
            items.set(pointer, list);
            for (let k = 0; text.charCodeAt(i) !== 93; k++) {
                list.push(i);
                // Only arrays of the last indexed level hold values nobody walks: their items need no pointer.
                if (depth + 1 >= INDEXED_DEPTH)
                    skipValue();
                else
                    value(`${pointer}/${k}`, -1, depth + 1, true);
                skipSpace();
                if (text.charCodeAt(i) === 44)
                    i++;
                skipSpace();
            }
        }
        else {
            while (text.charCodeAt(i) !== 125) {
                const keyAt = i;
                skipString();
                const raw = text.slice(keyAt + 1, i - 1);
                const key = raw.includes('\\') ? JSON.parse(text.slice(keyAt, i)) : raw;
                skipSpace();
                i++; // :
                skipSpace();
                value(`${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, keyAt, depth + 1);
                skipSpace();
                if (text.charCodeAt(i) === 44)
                    i++;
                skipSpace();
            }
        }
        i++;
    };
    skipSpace();
    value('', -1, 0);
    return { shallow: out, items };
}
/**
 * Deeper than this, a file is refused: every walk of a value (assertions, canonical forms, snapshots)
 * recurses, and a stack overflow would say nothing of where. No dataset or config needs a tenth of it.
 */
const MAX_JSON_DEPTH = 1000;
/**
 * What JSON.parse lets through silently: a member named twice in one object. The last one wins, so an
 * assertion or a setting written first would just disappear. The good path costs the structure scan
 * and one count of the parsed members; only a file whose counts differ is walked again, to name it.
 */
function rejectDuplicate(text, file, starts) {
    const dup = firstDuplicate(text);
    if (!dup)
        return;
    const pos = positionAt(starts, dup.offset);
    throw new JsonTextError(`member "${dup.name}" appears twice in one object (JSON would keep only the last; remove or rename one)`, dup.offset, {
        file,
        line: pos.line,
        column: pos.column,
        pointer: dup.pointer,
    });
}
/**
 * Member names (strings followed by a colon; exact for valid JSON) and where nesting first passes
 * MAX_JSON_DEPTH. Any text is scanned, valid or not: an unterminated string ends the scan.
 */
function scanStructure(text) {
    let keys = 0;
    let depth = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === QUOTE) {
            // To the closing quote: the next quote not escaped by an odd run of backslashes.
            let end = text.indexOf('"', i + 1);
            for (;;) {
                if (end < 0)
                    return { keys, deepAt: -1 };
                let b = end - 1;
                while (text.charCodeAt(b) === BACKSLASH)
                    b--;
                if ((end - 1 - b) % 2 === 0)
                    break;
                end = text.indexOf('"', end + 1);
            }
            i = end;
            let j = end + 1;
            while (j < n && isSpace(text.charCodeAt(j)))
                j++;
            if (text.charCodeAt(j) === 58)
                keys++;
        }
        else if (c === 123 || c === 91) {
            if (++depth > MAX_JSON_DEPTH)
                return { keys, deepAt: i };
        }
        else if (c === 125 || c === 93)
            depth--;
    }
    return { keys, deepAt: -1 };
}
/** Own members over all objects of a parsed value (no recursion: depth is bounded only after this). */
function memberCount(root) {
    let n = 0;
    const stack = [root];
    while (stack.length > 0) {
        const v = stack.pop();
        if (typeof v !== 'object' || v === null)
            continue;
        if (Array.isArray(v)) {
            for (const x of v)
                if (typeof x === 'object' && x !== null)
                    stack.push(x);
        }
        else {
            for (const k in v) {
                n++;
                const x = v[k];
                if (typeof x === 'object' && x !== null)
                    stack.push(x);
            }
        }
    }
    return n;
}
function firstDuplicate(text) {
    const open = [];
    let found = null;
    visit(text, {
        onObjectBegin: () => void open.push(new Set()),
        onObjectEnd: () => void open.pop(),
        onObjectProperty: (name, offset, _l, _sl, _sc, path) => {
            const names = open[open.length - 1];
            if (found || !names)
                return;
            if (names.has(name))
                found = { name, offset, pointer: segmentsToPointer([...path(), name]) };
            names.add(name);
        },
    }, { disallowComments: true, allowTrailingComma: false });
    return found;
}

;// CONCATENATED MODULE: ./src/util/json-pointer.ts

/** RFC 6901 syntax: empty, or `/`-separated tokens where `~` is only ever `~0` or `~1`. */
const POINTER_RE = /^(\/([^~/]|~[01])*)*$/;
function isJsonPointer(pointer) {
    return POINTER_RE.test(pointer);
}
// The same few pointers (a profile's fields, the datasets' paths) are read in every answer of a run:
// splitting each once saves most of a read (0.43 -> 0.06 us). Bounded, so odd pointers cannot grow it
// without end; the arrays are shared, so nothing may change them.
const SEGMENTS_MAX = 10_000;
const segmentsCache = new Map();
/** pointerToSegments, remembered; null for a malformed pointer. */
function segmentsOf(pointer) {
    let segs = segmentsCache.get(pointer);
    if (segs === undefined) {
        try {
            segs = json_source_pointerToSegments(pointer);
        }
        catch {
            segs = null;
        }
        if (segmentsCache.size < SEGMENTS_MAX)
            segmentsCache.set(pointer, segs);
    }
    return segs;
}
const validPointers = new Set();
/** isJsonPointer for a pointer read in every answer: valid ones are remembered (bounded like the segments). */
function isKnownJsonPointer(pointer) {
    if (validPointers.has(pointer))
        return true;
    if (!POINTER_RE.test(pointer))
        return false;
    if (validPointers.size < SEGMENTS_MAX)
        validPointers.add(pointer);
    return true;
}
/** An array index token per RFC 6901: `0` or digits without a leading zero (never `-`). */
function arrayIndex(seg, length) {
    if (typeof seg !== 'number')
        return undefined;
    return seg < length ? seg : undefined;
}
function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/**
 * The value at a JSON Pointer. Only own properties count, so `/constructor` or `/__proto__` on a plain
 * object is "not found" rather than a prototype member.
 */
function getAtPointer(value, pointer) {
    const segs = segmentsOf(pointer);
    if (segs === null)
        throw new Error(`not a JSON Pointer: ${pointer}`);
    let cur = value;
    for (const seg of segs) {
        if (Array.isArray(cur)) {
            const i = arrayIndex(seg, cur.length);
            if (i === undefined)
                return { found: false };
            cur = cur[i];
        }
        else if (isObject(cur)) {
            const key = String(seg);
            if (!Object.hasOwn(cur, key))
                return { found: false };
            cur = cur[key];
        }
        else {
            return { found: false };
        }
    }
    return { found: true, value: cur };
}
/**
 * A copy of `value` without the member at `pointer` (array elements are spliced out, as JSON Patch
 * `remove` does). Only the containers along the path are copied; the input is never mutated. An absent
 * path returns the input unchanged (ignorePaths name fields that only some responses have). The root
 * pointer `""` removes everything: the result is `undefined`.
 */
function removeAtPointer(value, pointer) {
    const segs = pointerToSegments(pointer);
    if (segs.length === 0)
        return undefined;
    return removeAt(value, segs, 0);
}
function removeAt(cur, segs, depth) {
    const seg = segs[depth];
    const last = depth === segs.length - 1;
    if (Array.isArray(cur)) {
        const i = arrayIndex(seg, cur.length);
        if (i === undefined)
            return cur;
        if (last)
            return [...cur.slice(0, i), ...cur.slice(i + 1)];
        const child = removeAt(cur[i], segs, depth + 1);
        if (child === cur[i])
            return cur;
        const copy = cur.slice();
        copy[i] = child;
        return copy;
    }
    if (isObject(cur)) {
        const key = String(seg);
        if (!Object.hasOwn(cur, key))
            return cur;
        if (last) {
            // fromEntries defines properties, so a JSON key named "__proto__" stays an ordinary key.
            return Object.fromEntries(Object.entries(cur).filter(([k]) => k !== key));
        }
        const child = removeAt(cur[key], segs, depth + 1);
        if (child === cur[key])
            return cur;
        return { ...cur, [key]: child };
    }
    return cur;
}
/** Remove every pointer in turn (absent ones are skipped). */
function removeAtPointers(value, pointers) {
    let out = value;
    for (const p of pointers)
        out = removeAtPointer(out, p);
    return out;
}

;// CONCATENATED MODULE: ./src/replay/ignore-paths.ts


function node() {
    return { end: false, children: new Map(), wildcard: null };
}
/** Throws a plain Error naming the bad pointer; callers wrap it with the file or flag it came from. */
function compileIgnorePaths(pointers) {
    if (pointers.length === 0)
        return null;
    const root = node();
    for (const p of pointers) {
        if (p === '' || !isJsonPointer(p)) {
            throw new Error(`ignorePaths: ${JSON.stringify(p)} is not a JSON Pointer to a member (like "/metrics/request_id")`);
        }
        let cur = root;
        for (const seg of json_source_pointerToSegments(p)) {
            const key = String(seg);
            if (key === '*') {
                cur.wildcard ??= node();
                cur = cur.wildcard;
            }
            else {
                let next = cur.children.get(key);
                if (!next)
                    cur.children.set(key, (next = node()));
                cur = next;
            }
        }
        cur.end = true;
    }
    return root;
}
/**
 * The ignore nodes that apply to member `key` below `at` (at most two: the named one and the wildcard).
 * `drop` when any of them ends there.
 */
function stepIgnore(at, key) {
    const named = at.children.get(key);
    const wild = at.wildcard;
    if (!named && !wild)
        return { drop: false, next: null };
    if (named?.end || wild?.end)
        return { drop: true, next: null };
    if (named && wild)
        return { drop: false, next: merged(named, wild) };
    return { drop: false, next: (named ?? wild) };
}
/**
 * What applies below the member or item named `key` (as the answer was sent): the ignore node, or null
 * when nothing is ignored below it. For walks over answers whose ignored members are left out already.
 */
function ignoreBelow(at, key) {
    return at ? stepIgnore(at, key).next : null;
}
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,14})$/;
const droppedCache = new WeakMap();
/** The array items `at` leaves out, by index in the answer as sent, ascending. */
function droppedIndices(at) {
    let d = droppedCache.get(at);
    if (!d) {
        d = [...at.children]
            .filter(([k, n]) => n.end && ARRAY_INDEX.test(k))
            .map(([k]) => Number(k))
            .sort((a, b) => a - b);
        droppedCache.set(at, d);
    }
    return d;
}
/**
 * The index in the answer as sent of item `i` of an array whose ignored items (`at`) are left out.
 * Canonical forms drop ignored items, so the items after one move up; a reader of a divergence or a
 * diff looks for the item in the engine's real answer. Depends on the ignore paths only (not on the
 * array), so it maps both answers compared alike, and an index past the end of the shorter one too.
 */
function originalIndex(at, i) {
    // A wildcard that ends here leaves no item: there is no index to map.
    if (!at || at.wildcard?.end)
        return i;
    let j = i;
    for (const d of droppedIndices(at)) {
        if (d > j)
            break;
        j++;
    }
    return j;
}
// A named member under a wildcard level is walked with both subtrees, merged once per pair (answers
// repeat the same shapes, so the same pairs come back for every item of a list).
const mergeCache = new WeakMap();
function merged(a, b) {
    let inner = mergeCache.get(a);
    if (!inner)
        mergeCache.set(a, (inner = new WeakMap()));
    let m = inner.get(b);
    if (!m)
        inner.set(b, (m = mergeNodes(a, b)));
    return m;
}
function mergeNodes(a, b) {
    const out = node();
    out.end = a.end || b.end;
    for (const [k, v] of a.children)
        out.children.set(k, v);
    for (const [k, v] of b.children) {
        const mine = out.children.get(k);
        out.children.set(k, mine ? mergeNodes(mine, v) : v);
    }
    out.wildcard = a.wildcard && b.wildcard ? mergeNodes(a.wildcard, b.wildcard) : (a.wildcard ?? b.wildcard);
    return out;
}
/** Sorted, de-duplicated union: the ignore set of a case (config paths + the dataset's). */
function unionPaths(...lists) {
    const set = new Set();
    for (const l of lists)
        for (const p of l ?? [])
            set.add(p);
    return [...set].sort();
}

;// CONCATENATED MODULE: ./src/replay/canonical.ts


/**
 * The canonical form c(y) of an answer (DESIGN §4.1): the parsed JSON with ignorePaths removed,
 * serialised the RFC 8785 (JCS) way: object members sorted by the UTF-16 code units of their names
 * (what Array.prototype.sort does by default), no whitespace, numbers and strings as ECMAScript's
 * JSON.stringify writes them (which is exactly what JCS prescribes for both).
 *
 * Written by hand rather than with the `canonicalize` package: JCS on JavaScript values is these few
 * lines, and dropping ignored members during the same walk saves copying a 50 KB answer first.
 * Values JSON cannot hold follow JSON.stringify (undefined members are left out, undefined or
 * non-finite array items and non-finite numbers become null, `toJSON` is honoured), so the canonical
 * form of an in-process answer equals that of its serialised-then-parsed bytes.
 */
function canonicalJson(value, ignore = null) {
    const sorted = sortedCopy(value, ignore);
    if (sorted !== UNSORTABLE)
        return JSON.stringify(sorted) ?? 'null';
    return canonicalJsonByWalk(value, ignore);
}
/**
 * The same text written member by member. `canonicalJson` takes this path only for the values a
 * sorted copy cannot stand for (see sortedCopy); tests hold the two paths to one result.
 */
function canonicalJsonByWalk(value, ignore = null) {
    const out = ignore ? writeIgnoring(value, ignore) : write(value);
    return out === undefined ? 'null' : out;
}
const UNSORTABLE = Symbol('unsortable');
/**
 * Member names in code-unit order (what the default sort gives), sorted in place. Objects of an
 * answer have a few names each; for those an insertion sort allocates nothing, where
 * Array.prototype.sort allocates a work array per call: 30% of all SIM allocation at 100k cases.
 */
function sortNames(names) {
    if (names.length > 24)
        return names.sort();
    for (let i = 1; i < names.length; i++) {
        const name = names[i];
        let j = i - 1;
        while (j >= 0 && names[j] > name) {
            names[j + 1] = names[j];
            j--;
        }
        names[j + 1] = name;
    }
    return names;
}
/** An array index as a member name: objects list those first, in numeric order, whatever the insertion order. */
const INDEX_NAME = /^(?:0|[1-9][0-9]{0,9})$/;
/**
 * A copy of the value whose objects have their members inserted in JCS order and ignored members
 * left out, so that the engine's own JSON.stringify writes the canonical text: copying and native
 * serialising take about half the time of concatenating the text in JavaScript (30 against 60 us for
 * a 7 KB Toron answer), and SIM canonicalises every answer it snapshots.
 * UNSORTABLE where insertion order cannot set the member order: a member named like an array index
 * (objects enumerate those first, numerically) or `__proto__` (assigning it sets the prototype).
 */
function sortedCopy(v, ignore) {
    if (typeof v !== 'object' || v === null)
        return v;
    const j = viaToJSON(v);
    if (j)
        return sortedCopy(j.value, ignore);
    if (Array.isArray(v)) {
        const out = [];
        for (let i = 0; i < v.length; i++) {
            let next = null;
            if (ignore) {
                const step = below(ignore, String(i));
                if (step === DROP)
                    continue;
                next = step;
            }
            const item = sortedCopy(v[i], next);
            if (item === UNSORTABLE)
                return UNSORTABLE;
            out.push(item);
        }
        return out;
    }
    const rec = v;
    const keys = sortNames(Object.keys(rec));
    const out = {};
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const c0 = k.charCodeAt(0);
        if ((c0 <= 57 && c0 >= 48 && INDEX_NAME.test(k)) || (c0 === 95 && k === '__proto__'))
            return UNSORTABLE;
        let next = null;
        if (ignore) {
            const step = below(ignore, k);
            if (step === DROP)
                continue;
            next = step;
        }
        const member = sortedCopy(rec[k], next);
        if (member === UNSORTABLE)
            return UNSORTABLE;
        out[k] = member;
    }
    return out;
}
/** sha256 of a text, hex (the one-shot hash: no Hash object per answer). */
function sha256Hex(text) {
    return (0,external_node_crypto_namespaceObject.hash)('sha256', text, 'hex');
}
/** sha256 of bytes, hex: sha256Hex of the text they encode in UTF-8. */
function sha256HexOf(bytes) {
    return (0,external_node_crypto_namespaceObject.hash)('sha256', bytes, 'hex');
}
/** Canonical text and its hash, in one call. */
function canonicalHash(value, ignore = null) {
    const canonical = canonicalJson(value, ignore);
    return { canonical, hash: sha256Hex(canonical) };
}
// Member names repeat across answers (every Toron answer has the same few hundred): quoting each once
// is a measurable part of the walk. Bounded, so odd answers with random keys cannot grow it forever,
// and short names only: a map keyed by the prompt has names as long as prompts, a new one per case,
// and 20,000 of 5 KB kept 218 MB alive for the rest of the run.
const QUOTED_MAX = 20_000;
const QUOTED_NAME_MAX = 128;
const quoted = new Map();
function quote(name) {
    let q = quoted.get(name);
    if (q === undefined) {
        q = JSON.stringify(name);
        if (quoted.size < QUOTED_MAX && name.length <= QUOTED_NAME_MAX)
            quoted.set(name, q);
    }
    return q;
}
/** A non-plain object (Date, a class instance) may carry `toJSON`; parsed JSON never does. */
function viaToJSON(v) {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null || proto === Array.prototype)
        return null;
    const toJSON = v.toJSON;
    return typeof toJSON === 'function' ? { value: toJSON.call(v, '') } : null;
}
function scalar(v) {
    switch (typeof v) {
        case 'string':
            return JSON.stringify(v);
        case 'number':
            // For finite numbers String() and JSON.stringify agree (ECMAScript Number::toString: JCS's rule).
            return Number.isFinite(v) ? '' + v : 'null';
        case 'boolean':
            return v ? 'true' : 'false';
        case 'bigint':
            throw new TypeError('canonicalJson: a BigInt is not JSON');
        case 'object':
            return v === null ? 'null' : null; // null: a container, walked by the caller
        default:
            return undefined; // undefined, functions, symbols: left out like JSON.stringify does
    }
}
/** The walk without ignorePaths: the common case, kept free of the per-member ignore lookups. */
function write(v) {
    const s = scalar(v);
    if (s !== null)
        return s;
    const o = v;
    const j = viaToJSON(o);
    if (j)
        return write(j.value);
    if (Array.isArray(o)) {
        let out = '[';
        for (let i = 0; i < o.length; i++) {
            const item = write(o[i]);
            out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : item);
        }
        return out + ']';
    }
    const rec = o;
    const keys = sortNames(Object.keys(rec));
    let out = '{';
    let first = true;
    for (let i = 0; i < keys.length; i++) {
        const member = write(rec[keys[i]]);
        if (member === undefined)
            continue;
        out += (first ? '' : ',') + quote(keys[i]) + ':' + member;
        first = false;
    }
    return out + '}';
}
function writeIgnoring(v, ignore) {
    const s = scalar(v);
    if (s !== null)
        return s;
    const o = v;
    const j = viaToJSON(o);
    if (j)
        return writeIgnoring(j.value, ignore);
    if (Array.isArray(o)) {
        let out = '[';
        let first = true;
        for (let i = 0; i < o.length; i++) {
            const next = below(ignore, String(i));
            if (next === DROP)
                continue;
            const item = next ? writeIgnoring(o[i], next) : write(o[i]);
            out += (first ? '' : ',') + (item === undefined ? 'null' : item);
            first = false;
        }
        return out + ']';
    }
    const rec = o;
    const keys = sortNames(Object.keys(rec));
    let out = '{';
    let first = true;
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const next = below(ignore, k);
        if (next === DROP)
            continue;
        const member = next ? writeIgnoring(rec[k], next) : write(rec[k]);
        if (member === undefined)
            continue;
        out += (first ? '' : ',') + quote(k) + ':' + member;
        first = false;
    }
    return out + '}';
}
const DROP = 'drop';
/** What applies below member `key`: DROP it, walk it with these ignore paths, or (null) plainly. */
function below(at, key) {
    const named = at.children.get(key);
    const wild = at.wildcard;
    if (named === undefined && wild === null)
        return null;
    const step = stepIgnore(at, key);
    return step.drop ? DROP : step.next;
}
/**
 * Why an answer has no canonical form, from what the walk threw: nested deeper than its stack (a
 * runaway trace thousands of levels deep), or holding what JSON cannot (a BigInt). The snapshot keeps
 * such an answer as an 'unreadable' error and replay counts it as no answer, in these words.
 */
function noCanonicalForm(err) {
    return `the answer has no canonical form: ${err instanceof RangeError ? 'nested too deeply' : err.message}`;
}

;// CONCATENATED MODULE: ./src/snapshot/layout.ts
/**
 * The line layout of a snapshot file: one case a line, the header on the last line.
 *
 *   {"cases":[
 *   {"dataset":"...","id":"...",...,"answer":{...}},
 *   ...
 *   ],"schemaVersion":1,"kind":"toron-testops.snapshot",...header...,"caseCount":86}
 *
 * The header goes last because it holds what is only known at the end (metrics, case count): with it
 * last, a run whose answers came in case order has its spool file become the snapshot by a rename,
 * instead of a 700 MB copy at 100k cases. Snapshots written header first (toron-testops up to 2.0.0)
 * are read as well.
 */
const CASES_OPENING = '{"cases":[\n';
/** Before each case line but the first. */
const CASE_SEPARATOR = ',\n';
/** The end of the file: the header's members after the case list. */
function casesClosing(header) {
    return `\n],${JSON.stringify(header).slice(1)}\n`;
}
/** The first line of a snapshot (without its newline) in the header-last layout. */
function opensCases(firstLine) {
    return firstLine === CASES_OPENING.slice(0, -1);
}
/** The header of a closing line (`],"schemaVersion":...}`), or null when the line is not one. */
function headerOfClosing(line) {
    if (!line.startsWith('],'))
        return null;
    try {
        return JSON.parse(`{${line.slice(2)}`);
    }
    catch {
        return null;
    }
}
const LEGACY_OPENING_END = ',"cases":[';
/** The header of a header-first snapshot's first line (`{...header...,"cases":[`), or null. */
function headerOfLegacyOpening(line) {
    if (!line.startsWith('{') || !line.endsWith(LEGACY_OPENING_END))
        return null;
    try {
        return JSON.parse(`${line.slice(0, -LEGACY_OPENING_END.length)}}`);
    }
    catch {
        return null;
    }
}
/** The closing line of a header-first snapshot. */
const LEGACY_CLOSING = ']}';
/** A case line's JSON text without its separating comma. */
function caseText(line) {
    return line.endsWith(',') ? line.slice(0, -1) : line;
}

;// CONCATENATED MODULE: ./src/snapshot/types.ts
/**
 * A snapshot (DESIGN §3.2, issue 4): what the engine answered in one run, per case, in canonical form,
 * so that a later replay (same run, another build, another machine) can ask again and compare.
 *
 * The file is plain JSON, laid out one case per line (header last, see layout.ts) so a reader can
 * index a snapshot of 100k cases without holding it whole.
 *
 * Nothing in it is an absolute path or a secret: engine targets are redacted, paths are relative.
 */
const SNAPSHOT_KIND = 'toron-testops.snapshot';
const SNAPSHOT_SCHEMA_VERSION = 1;

;// CONCATENATED MODULE: ./src/snapshot/case-index.ts
/**
 * Per-case bookkeeping of the snapshot writers, keyed by case index (dense: 0 .. suite size). Typed
 * arrays instead of a Set or Map of 100k numbers: those grow by rehashing into new tables, all of which
 * end up in the old generation, and a Map of {offset, length} objects keeps 100k objects alive.
 */
function grown(a, index, make) {
    if (index < a.length)
        return a;
    let n = a.length;
    while (n <= index)
        n *= 2;
    const b = make(n);
    b.set(a);
    return b;
}
/** The case indexes seen so far. */
class CaseIndexSet {
    seen = new Uint8Array(1024);
    size = 0;
    has(index) {
        return index < this.seen.length && this.seen[index] === 1;
    }
    add(index) {
        this.seen = grown(this.seen, index, (n) => new Uint8Array(n));
        if (this.seen[index] === 0) {
            this.seen[index] = 1;
            this.size++;
        }
    }
}
/** Where each case's line lies in the spool (a line is never empty, so length 0 means absent). */
class SpoolIndex {
    offsets = new Float64Array(1024);
    lengths = new Float64Array(1024);
    size = 0;
    has(index) {
        return index < this.lengths.length && this.lengths[index] > 0;
    }
    set(index, offset, length) {
        this.offsets = grown(this.offsets, index, (n) => new Float64Array(n));
        this.lengths = grown(this.lengths, index, (n) => new Float64Array(n));
        if (!(this.lengths[index] > 0))
            this.size++;
        this.offsets[index] = offset;
        this.lengths[index] = length;
    }
    /** Every recorded line in case order. */
    *inCaseOrder() {
        for (let i = 0; i < this.lengths.length; i++) {
            if (this.lengths[i] > 0)
                yield { offset: this.offsets[i], length: this.lengths[i] };
        }
    }
}

;// CONCATENATED MODULE: ./src/engine/profiles/read.ts

/** Small readers shared by the profiles: they never throw on odd input, they report what they saw. */
function read_isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/**
 * The value at a JSON Pointer, or undefined when absent (a malformed pointer reads as absent). Own
 * properties only, as util/json-pointer: `/constructor` is not found on a plain object.
 */
function read_at(body, pointer) {
    const segs = segmentsOf(pointer);
    if (segs === null)
        return undefined;
    let cur = body;
    for (const seg of segs) {
        if (Array.isArray(cur)) {
            if (typeof seg !== 'number' || seg >= cur.length)
                return undefined;
            cur = cur[seg];
        }
        else if (read_isRecord(cur)) {
            const key = String(seg);
            if (!Object.hasOwn(cur, key))
                return undefined;
            cur = cur[key];
        }
        else {
            return undefined;
        }
    }
    return cur;
}
function read_finiteNumber(v) {
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function read_bool(v) {
    return typeof v === 'boolean' ? v : null;
}
/** A non-empty object or list counts as "a result is there"; {} , [], null and absent do not. */
function read_nonEmpty(v) {
    if (Array.isArray(v))
        return v.length > 0;
    if (read_isRecord(v))
        return Object.keys(v).length > 0;
    return v !== undefined && v !== null && v !== '' && v !== false;
}
/** Items of a list, or keys of an object (evidence clusters are keyed by layer). */
function read_countOf(v) {
    if (Array.isArray(v))
        return v.length;
    if (read_isRecord(v))
        return Object.keys(v).length;
    return 0;
}
/** "A->B->C" or ["A","B","C"] as a list of trimmed names; null when neither. */
function read_tierList(v) {
    if (typeof v === 'string') {
        return v
            .split('->')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    }
    if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
        return v.map((s) => s.trim());
    return null;
}
function read_describe(v) {
    if (v === undefined)
        return 'absent';
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return `a list of ${v.length}`;
    if (typeof v === 'object')
        return 'an object';
    if (typeof v === 'string')
        return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`;
    return `${typeof v} ${String(v)}`;
}
/** Normalise a score by its declared scale; non-numbers stay null (never guessed from the value). */
function read_normalise(raw, scale) {
    const n = read_finiteNumber(raw);
    return n === null ? null : n / scale;
}
/** Why a reported contradiction count is unreadable (null: it is a count, a whole number 0 or more). */
function read_countProblem(pointer, v) {
    if (v === undefined)
        return `the contradiction count ${pointer} is missing`;
    const n = read_finiteNumber(v);
    if (n === null)
        return `the contradiction count ${pointer} is ${read_describe(v)}, not a number`;
    if (!Number.isInteger(n) || n < 0)
        return `the contradiction count ${pointer} is ${read_describe(v)}, not a count (a whole number, 0 or more)`;
    return null;
}
/** A tier path for a message: its names as JSON, the first 12 at most. */
function shownPath(names) {
    const short = names.slice(0, 12).map((n) => (n.length > 40 ? `${n.slice(0, 37)}...` : n));
    return names.length > 12 ? `${JSON.stringify(short).slice(0, -1)},...+${names.length - 12}]` : JSON.stringify(short);
}
/**
 * What is wrong with a tier path as the engine wrote it (null: nothing). Tiers are the names T<n>;
 * other stage names (2.5h's T1_SUMMARY, CDG, JUDICIAL, ...) are not judged. Tier 1 always runs, and
 * tiers run in order, each once (one may be skipped: T2 when no audit ran).
 */
function read_tierPathProblem(pointer, raw, required) {
    if (raw === undefined || raw === null)
        return required ? `the tier path ${pointer} is missing` : null;
    if (Array.isArray(raw)) {
        const bad = raw.findIndex((x) => typeof x !== 'string');
        if (bad >= 0)
            return `the tier path ${pointer} has an item that is no tier name: ${pointer}/${bad} is ${read_describe(raw[bad])}`;
    }
    else if (typeof raw !== 'string') {
        return `the tier path ${pointer} is ${read_describe(raw)}, not a list of tier names`;
    }
    const names = read_tierList(raw) ?? [];
    if (names.length === 0)
        return `the tier path ${pointer} is empty`;
    const seen = new Set();
    let last = 0;
    for (const name of names) {
        const m = /^T(\d+)$/.exec(name);
        if (!m)
            continue;
        const k = Number(m[1]);
        if (seen.has(k))
            return `the tier path names ${name} twice (${shownPath(names)})`;
        if (k < last)
            return `the tier path runs ${name} after T${last} (${shownPath(names)})`;
        seen.add(k);
        last = k;
    }
    if (!seen.has(1))
        return `the tier path has no T1 (${shownPath(names)})`;
    return null;
}

;// CONCATENATED MODULE: ./src/engine/profiles/custom.ts

/**
 * The `custom` profile: JSON Pointers from config (`pipeline.custom`) map any engine's answer onto the
 * view. What is not mapped is not checked (its check reports "not applicable"). The confidence scale is
 * declared next to the confidence pointer (settings refuse one without the other).
 */
function custom_customProfile(p) {
    const scale = p.confidenceScale ?? 1;
    const modelAt = p.t1Model ?? '/model';
    const outputAt = p.t1Output ?? '/output';
    // Pinning a mapped field in a dataset declares the behaviour it carries.
    function t1Of(body) {
        if (p.t1 === undefined)
            return null;
        const raw = at(body, p.t1);
        if (raw === undefined || raw === null)
            return null;
        if (!Array.isArray(raw))
            return { pointer: p.t1, outputs: [], responders: null, malformed: `${p.t1} is ${describe(raw)}, not a list` };
        return { pointer: p.t1, outputs: raw.map((e) => ({ model: at(e, modelAt), output: at(e, outputAt) })), responders: null };
    }
    function t2Of(body) {
        if (p.t2 === undefined)
            return null;
        const raw = at(body, p.t2);
        if (!nonEmpty(raw))
            return null;
        if (!isRecord(raw))
            return { pointer: p.t2, models: [], malformed: `${p.t2} is ${describe(raw)}, not an object` };
        return { pointer: p.t2, models: Array.isArray(raw.models) ? raw.models : [] };
    }
    function t3Of(body) {
        const items = p.t3Items === undefined ? undefined : at(body, p.t3Items);
        const sources = p.t3Sources === undefined ? undefined : at(body, p.t3Sources);
        if (items === undefined && sources === undefined)
            return null;
        return { pointer: p.t3Items ?? p.t3Sources ?? '', items: countOf(items), sources: countOf(sources) };
    }
    /** A list (its length) or a count; absent is not measured; anything else is a problem, never 0. */
    function contradictionsOf(body) {
        if (p.contradictions === undefined)
            return { count: null };
        const raw = at(body, p.contradictions);
        if (Array.isArray(raw))
            return { count: raw.length };
        if (raw === undefined || raw === null)
            return { count: null };
        const problem = countProblem(p.contradictions, raw);
        return problem === null ? { count: raw } : { count: null, problem };
    }
    function view(body) {
        const shapeProblems = [];
        const answer = at(body, p.answer);
        if (answer === undefined)
            shapeProblems.push(`${p.answer || '(the whole answer)'} is absent`);
        const tierPath = p.tierPath === undefined ? null : tierList(at(body, p.tierPath));
        // A mapped path may be left out of an answer; one that is there is judged as Toron's are.
        const pathProblem = p.tierPath === undefined ? null : tierPathProblem(p.tierPath, at(body, p.tierPath), false);
        const confidenceRaw = p.confidence === undefined ? undefined : at(body, p.confidence);
        const contradictions = contradictionsOf(body);
        return {
            profile: 'custom',
            shapeProblems,
            answerPointer: p.answer,
            answer,
            confidence: normalise(confidenceRaw, scale),
            confidenceRaw,
            confidencePointer: p.confidence ?? '',
            confidenceScale: scale,
            t1: t1Of(body),
            t2: t2Of(body),
            t3: t3Of(body),
            tierPath,
            ...(pathProblem ? { tierPathProblem: pathProblem } : {}),
            opusEscalated: p.opusEscalated === undefined ? null : bool(at(body, p.opusEscalated)),
            judicial: p.judicial === undefined ? null : nonEmpty(at(body, p.judicial)),
            tierPathHasT4: tierPath ? tierPath.some((t) => t.toUpperCase() === 'T4') : null,
            contradictions: contradictions.count,
            ...(contradictions.problem ? { contradictionsProblem: contradictions.problem } : {}),
            engineLatencyMs: p.engineLatencyMs === undefined ? null : finiteNumber(at(body, p.engineLatencyMs)),
        };
    }
    return {
        name: 'custom',
        confidenceScale: scale,
        exposes: {
            t1: p.t1 !== undefined ? 'outputs' : false,
            t2Audit: p.t2 !== undefined,
            t3Evidence: p.t3Items !== undefined || p.t3Sources !== undefined,
            tierConsistency: p.opusEscalated !== undefined && (p.judicial !== undefined || p.tierPath !== undefined),
            opusEscalated: p.opusEscalated !== undefined,
            contradictions: p.contradictions !== undefined,
            confidence: p.confidence !== undefined,
        },
        // A custom engine's per-call members are the user's to name (replay.ignorePaths).
        volatilePaths: [],
        where: {
            t1: p.t1 ?? '(not mapped)',
            t2: p.t2 ?? '(not mapped)',
            t3: p.t3Items ?? p.t3Sources ?? '(not mapped)',
            tierPath: p.tierPath ?? '(not mapped)',
            opusEscalated: p.opusEscalated ?? '(not mapped)',
            judicial: p.judicial ?? '(not mapped)',
            contradictions: p.contradictions ?? '(not mapped)',
        },
        answerPointer: () => p.answer,
        view,
    };
}

;// CONCATENATED MODULE: ./src/engine/profiles/detect.ts

/**
 * Which Toron generation an answer looks like, from its shape alone (`auto`). Deliberately strict: an
 * answer that merely has a `final_answer` is not taken for Toron (the checker would only raise noise
 * on it). `custom` is never detected: it exists only when configured.
 *
 * - toron-3: a `consensus` object, or (a broken answer of that generation) `metrics` with a `request_id`;
 * - toron-2.5h-stability: the 2.5h frame with a list `tier_path` or the patch's own top-level members
 *   (`snapshot`, numeric `latency_ms` / `contradictions`);
 * - toron-2.5h: `final_answer` with `state_snapshot` or `tier_path`.
 */
function detect_detectProfile(body) {
    if (!read_isRecord(body))
        return null;
    const hasFrame = 'final_answer' in body && ('state_snapshot' in body || 'tier_path' in body);
    if (!hasFrame) {
        if (read_isRecord(body.consensus))
            return 'toron-3';
        if (read_isRecord(body.metrics) && 'request_id' in body.metrics)
            return 'toron-3';
        return null;
    }
    const stability = Array.isArray(body.tier_path) ||
        read_isRecord(body.snapshot) ||
        typeof body.latency_ms === 'number' ||
        typeof body.contradictions === 'number';
    return stability ? 'toron-2.5h-stability' : 'toron-2.5h';
}

;// CONCATENATED MODULE: ./src/engine/profiles/toron25h.ts

/**
 * toron-2.5h (RyuzenToronV25HPlus) and its stability patch, as the real answers in
 * reference/toron-samples show them:
 * - answer `/final_answer`; confidence `/confidence_score` on a 0-100 scale (58.0 / 68.0; the patch:
 *   ints 82 / 77);
 * - tier 1 `/state_snapshot/T1_RAW[{model, hypothesis, contradictions[], ...}]` (the hypothesis is the
 *   model's output); tier 2 `/state_snapshot/T2_AUDIT_REPORT{models, critiques, ...}`; the evidence tier
 *   `/state_snapshot/REALITY_PACKET{verified_facts, source_clusters, ...}` plus `/sources_used`;
 * - Opus: `/opus_used`, and the Opus review in `/state_snapshot/JUDICIAL_RESULT` (`{}` without it).
 *
 * 2.5h writes one fixed tier path string that always names JUDICIAL (the stage runs, Opus or not), so
 * its path cannot tell whether Opus ran: only the judicial result can. The patch writes a list that
 * gains "T4" exactly when Opus ran (its EXECUTION_PLAN.tier_path is the plan, not what ran: ignored).
 *
 * Contradictions: 2.5h counts the distinct texts its tier-1 models report; the patch reports the
 * number itself in `/contradictions`.
 */
const SNAP = '/state_snapshot';
const T1 = `${SNAP}/T1_RAW`;
const T2 = `${SNAP}/T2_AUDIT_REPORT`;
const T3 = `${SNAP}/REALITY_PACKET`;
const JUDICIAL = `${SNAP}/JUDICIAL_RESULT`;
function t1Of(body) {
    const raw = read_at(body, T1);
    if (raw === undefined || raw === null)
        return null;
    if (!Array.isArray(raw))
        return { pointer: T1, outputs: [], responders: null, malformed: `${T1} is ${read_describe(raw)}, not a list` };
    return {
        pointer: T1,
        outputs: raw.map((e) => (read_isRecord(e) ? { model: e.model, output: e.hypothesis } : { model: undefined, output: undefined })),
        responders: null,
    };
}
function t2Of(body) {
    const raw = read_at(body, T2);
    if (raw === undefined || raw === null || (read_isRecord(raw) && Object.keys(raw).length === 0))
        return null;
    if (!read_isRecord(raw))
        return { pointer: T2, models: [], malformed: `${T2} is ${read_describe(raw)}, not an object` };
    const models = raw.models;
    // The audit is the work of its models (DeepSeek, Kimi): an audit naming none is one nobody ran.
    let modelsProblem;
    if (!Array.isArray(models) || models.length === 0)
        modelsProblem = `the T2 audit ${T2} names no auditing model (models is ${read_describe(models)})`;
    else {
        const bad = models.findIndex((m) => typeof m !== 'string' || m.trim() === '');
        if (bad >= 0)
            modelsProblem = `the T2 audit ${T2} has an auditing model that is no name (models/${bad} is ${read_describe(models[bad])})`;
    }
    return { pointer: T2, models: Array.isArray(models) ? models : [], ...(modelsProblem ? { modelsProblem } : {}) };
}
/**
 * The evidence tier is the REALITY_PACKET; the top-level `sources_used` adds to its sources but does
 * not stand in for it (a list of layer names says nothing about evidence the tier no longer holds).
 */
function t3Of(body) {
    const packet = read_at(body, T3);
    if (packet === undefined || packet === null)
        return null;
    if (!read_isRecord(packet))
        return { pointer: T3, items: 0, sources: 0, malformed: `${T3} is ${read_describe(packet)}, not an object` };
    return {
        pointer: T3,
        items: read_countOf(packet.verified_facts),
        sources: Math.max(read_countOf(packet.source_clusters), read_countOf(read_at(body, '/sources_used'))),
    };
}
/**
 * Distinct contradiction texts over the tier-1 outputs; null when tier 1 is not a list. An entry's
 * list that is there but no list (a number, a text) is a problem, never "none": counting it as 0
 * would pass an answer whose model reported 7. Absent or null is none (the engine writes [] then).
 */
function t1Contradictions(body) {
    const raw = read_at(body, T1);
    if (!Array.isArray(raw))
        return { count: null };
    const seen = new Set();
    for (let i = 0; i < raw.length; i++) {
        const e = raw[i];
        const list = read_isRecord(e) ? e.contradictions : undefined;
        if (Array.isArray(list))
            list.forEach((c, j) => seen.add(typeof c === 'string' ? c : keyOf(c, `${i}/${j}`)));
        else if (list !== undefined && list !== null) {
            return { count: null, problem: `the tier-1 contradictions ${T1}/${i}/contradictions is ${read_describe(list)}, not a list` };
        }
    }
    return { count: seen.size };
}
/** A non-text contradiction's identity: its JSON, or (nested too deeply to write) its place. */
function keyOf(c, place) {
    try {
        return JSON.stringify(c) ?? String(c);
    }
    catch {
        return `\u0000unwritable ${place}`;
    }
}
function shapeProblems(body) {
    if (!read_isRecord(body))
        return [`the answer is ${read_describe(body)}, not a JSON object`];
    const out = [];
    if (typeof body.final_answer !== 'string')
        out.push(`/final_answer is ${read_describe(body.final_answer)}, not text`);
    else if (body.final_answer.trim() === '')
        out.push('/final_answer is empty text');
    if (!read_isRecord(body.state_snapshot))
        out.push(`${SNAP} is ${read_describe(body.state_snapshot)}, not an object`);
    return out;
}
function baseView(body, profile) {
    const confidenceRaw = read_at(body, '/confidence_score');
    const contradictions = t1Contradictions(body);
    const pathProblem = read_tierPathProblem('/tier_path', read_at(body, '/tier_path'), true);
    return {
        profile,
        shapeProblems: shapeProblems(body),
        answerPointer: '/final_answer',
        answer: read_at(body, '/final_answer'),
        confidence: read_normalise(confidenceRaw, 100),
        confidenceRaw,
        confidencePointer: '/confidence_score',
        confidenceScale: 100,
        t1: t1Of(body),
        t2: t2Of(body),
        t3: t3Of(body),
        tierPath: read_tierList(read_at(body, '/tier_path')),
        ...(pathProblem ? { tierPathProblem: pathProblem } : {}),
        opusEscalated: read_bool(read_at(body, '/opus_used')),
        judicial: read_nonEmpty(read_at(body, JUDICIAL)),
        tierPathHasT4: null,
        contradictions: contradictions.count,
        ...(contradictions.problem ? { contradictionsProblem: contradictions.problem } : {}),
        engineLatencyMs: null,
    };
}
/** The witness is drawn by the clock (and named again as the RWL model). */
const VOLATILE_25H = ['/random_witness', `${SNAP}/RWL_RESULT/model`];
/**
 * The patch also draws its latencies at random on each call (its `stable_latency` jitter), wherever it
 * writes them (top level, the tiers, the plan, both snapshot copies), and the Opus review's
 * `OpusResolution:<n>` and latency.
 */
const VOLATILE_STABILITY = [
    ...VOLATILE_25H,
    '/latency_ms',
    `${SNAP}/LATENCY_MS`,
    ...['/snapshot', `${SNAP}/NORMALIZED_SNAPSHOT`].flatMap((at) => [
        `${at}/rwl_result/model`,
        `${at}/t1_raw/*/latency_ms`,
        `${at}/t2_audit_report/latency_ms`,
        `${at}/reality_packet/latency_ms`,
        `${at}/judicial_result/opus_result/result`,
        `${at}/judicial_result/opus_result/latency_ms`,
    ]),
    `${SNAP}/EXECUTION_PLAN/latency_ms`,
    `${T1}/*/latency_ms`,
    `${T2}/latency_ms`,
    `${T3}/latency_ms`,
    `${JUDICIAL}/opus_result/result`,
    `${JUDICIAL}/opus_result/latency_ms`,
];
const ALL_EXPOSED = { t1: 'outputs', t2Audit: true, t3Evidence: true, tierConsistency: true, opusEscalated: true, contradictions: true, confidence: true };
const WHERE_25H = {
    t1: T1,
    t2: T2,
    t3: T3,
    tierPath: '/tier_path',
    opusEscalated: '/opus_used',
    judicial: JUDICIAL,
    contradictions: `${T1}/*/contradictions`,
};
const toron25hProfile = {
    name: 'toron-2.5h',
    confidenceScale: 100,
    exposes: ALL_EXPOSED,
    where: WHERE_25H,
    volatilePaths: VOLATILE_25H,
    answerPointer: () => '/final_answer',
    view: (body) => baseView(body, 'toron-2.5h'),
};
const toron25hStabilityProfile = {
    name: 'toron-2.5h-stability',
    confidenceScale: 100,
    exposes: ALL_EXPOSED,
    where: { ...WHERE_25H, contradictions: '/contradictions' },
    volatilePaths: VOLATILE_STABILITY,
    answerPointer: () => '/final_answer',
    view(body) {
        const v = baseView(body, 'toron-2.5h-stability');
        const path = v.tierPath;
        v.tierPathHasT4 = path ? path.includes('T4') : null;
        // The patch reports its count as an int: one missing, not a number or not a count (-3, 2.5) is a
        // broken answer, not a generation without the figure.
        const reported = read_at(body, '/contradictions');
        const problem = read_countProblem('/contradictions', reported);
        delete v.contradictionsProblem; // the patch's own count is what is judged, not its tier-1 lists
        if (problem === null)
            v.contradictions = reported;
        else {
            v.contradictions = null;
            v.contradictionsProblem = problem;
        }
        v.engineLatencyMs = read_finiteNumber(read_at(body, '/latency_ms'));
        return v;
    },
};

;// CONCATENATED MODULE: ./src/engine/profiles/toron3.ts

/** The form, from the consensus's own member names, else (a consensus-less part) from the metrics'. */
function formOf(consensus, metrics) {
    if (read_isRecord(consensus)) {
        if ('representative_output' in consensus || 'avg_confidence' in consensus)
            return 'full';
        if ('output' in consensus || 'confidence' in consensus)
            return 'query';
    }
    return read_isRecord(metrics) && ('tier4_arbitration_invoked' in metrics || 'total_latency_ms' in metrics) ? 'full' : 'query';
}
/** Below this share of agreeing responders toron-3 arbitrates (tier 4: Opus, or the tier-2 failsafe). */
const ARBITRATE_BELOW = 0.7;
/**
 * The agreement share: the query form's "a/b", the full form's agreement_count over total_responses;
 * or why it cannot be read (then the arbitration rule cannot be judged, and tier-consistency says so).
 */
function agreementOf(c, form) {
    const judged = (n, total, pointer) => {
        const text = `${n}/${total}`;
        if (total <= 0)
            return { agreement: null, problem: `the agreement ${pointer} is ${text}: no responses` };
        if (n > total)
            return { agreement: null, problem: `the agreement ${pointer} is ${text}: more agreeing than answering` };
        return { agreement: { share: n / total, text, pointer, arbitrateBelow: ARBITRATE_BELOW } };
    };
    if (form === 'query') {
        const at = '/consensus/agreement';
        if (c.agreement === undefined)
            return { agreement: null, problem: `the agreement ${at} is missing` };
        const m = typeof c.agreement === 'string' ? /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(c.agreement) : null;
        if (!m)
            return { agreement: null, problem: `the agreement ${at} is ${read_describe(c.agreement)}, not "a/b"` };
        return judged(Number(m[1]), Number(m[2]), at);
    }
    for (const key of ['agreement_count', 'total_responses']) {
        if (c[key] === undefined)
            return { agreement: null, problem: `the agreement /consensus/${key} is missing` };
        if (read_finiteNumber(c[key]) === null)
            return { agreement: null, problem: `the agreement /consensus/${key} is ${read_describe(c[key])}, not a number` };
    }
    return judged(c.agreement_count, c.total_responses, '/consensus/agreement_count');
}
const FIELDS = {
    query: { answer: 'output', model: 'model', confidence: 'confidence', latency: 'latency_ms' },
    full: { answer: 'representative_output', model: 'representative_model', confidence: 'avg_confidence', latency: 'total_latency_ms' },
};
const ESCALATED = new Set(['opus_primary', 'tier2_failsafe']);
function escalatedBy(source) {
    if (typeof source !== 'string')
        return null;
    if (ESCALATED.has(source))
        return true;
    if (source === 'consensus_only')
        return false;
    return null;
}
function toron3_t1Of(consensus, metrics, form) {
    // The real engine counts in providers_called the answers that came back (from every tier), and its
    // tier-1 failures apart in providers_failed: subtracting those again made 4 of 9 tier-1 models
    // answering (called 6, failed 5) read as 1 responder, a false alarm. The count is an upper bound.
    const called = read_finiteNumber(read_isRecord(metrics) ? metrics.providers_called : undefined);
    const f = FIELDS[form];
    return {
        pointer: '/metrics/providers_called',
        outputs: null,
        responders: called,
        representative: { model: consensus[f.model], output: consensus[f.answer] },
        ...(called === null ? { malformed: `/metrics/providers_called is ${read_describe(read_isRecord(metrics) ? metrics.providers_called : undefined)}` } : {}),
    };
}
function toron3_t3Of(consensus) {
    const strength = consensus.evidence_strength;
    if (strength === undefined || strength === null)
        return null;
    return { pointer: '/consensus/evidence_strength', items: 0, sources: 0, summary: typeof strength === 'string' ? strength : '' };
}
function view(body) {
    const consensus = read_at(body, '/consensus');
    const metrics = read_at(body, '/metrics');
    const form = formOf(consensus, metrics);
    const f = FIELDS[form];
    const shapeProblems = [];
    if (!read_isRecord(body))
        shapeProblems.push(`the answer is ${read_describe(body)}, not a JSON object`);
    else if (!read_isRecord(consensus))
        shapeProblems.push(`/consensus is ${read_describe(consensus)}, not an object`);
    else if (typeof consensus[f.answer] !== 'string')
        shapeProblems.push(`/consensus/${f.answer} is ${read_describe(consensus[f.answer])}, not text`);
    else if (consensus[f.answer].trim() === '')
        shapeProblems.push(`/consensus/${f.answer} is empty text`);
    const c = read_isRecord(consensus) ? consensus : {};
    const m = read_isRecord(metrics) ? metrics : {};
    const arbitrationModel = c.arbitration_model;
    const judicial = typeof arbitrationModel === 'string' ? arbitrationModel !== '' : arbitrationModel === null ? false : null;
    // The full form says outright whether tier 4 ran; the /query form only names (or not) the arbiter,
    // which the judicial comparison already checks (its T4 is not a second, independent witness).
    const invoked = form === 'full' ? read_bool(m.tier4_arbitration_invoked) : null;
    const hasT4 = invoked ?? judicial;
    const tier2 = form === 'full' ? read_bool(m.tier2_invoked) : null;
    const tierPath = ['T1', ...(tier2 ? ['T2'] : []), 'T3', ...(hasT4 ? ['T4'] : [])];
    const confidenceRaw = c[f.confidence];
    const agreement = agreementOf(c, form);
    return {
        profile: 'toron-3',
        form,
        shapeProblems,
        answerPointer: `/consensus/${f.answer}`,
        answer: c[f.answer],
        confidence: read_normalise(confidenceRaw, 1),
        confidenceRaw,
        confidencePointer: `/consensus/${f.confidence}`,
        confidenceScale: 1,
        t1: read_isRecord(consensus) ? toron3_t1Of(c, metrics, form) : null,
        t2: null,
        t3: toron3_t3Of(c),
        tierPath,
        opusEscalated: escalatedBy(c.arbitration_source),
        judicial,
        tierPathHasT4: invoked,
        ...(invoked !== null ? { t4Pointer: '/metrics/tier4_arbitration_invoked' } : {}),
        ...(escalatedBy(c.arbitration_source) !== null ? { escalationSaid: `/consensus/arbitration_source ${JSON.stringify(c.arbitration_source)}` } : {}),
        contradictions: null,
        agreement: agreement.agreement,
        ...(agreement.problem ? { agreementProblem: agreement.problem } : {}),
        engineLatencyMs: read_finiteNumber(m[f.latency]),
    };
}
const toron3Profile = {
    name: 'toron-3',
    confidenceScale: 1,
    exposes: { t1: 'responders', t2Audit: false, t3Evidence: true, tierConsistency: true, opusEscalated: true, contradictions: false, confidence: true },
    // Request ids and timestamps change on every call; latencies are measured; a cache answers repeats.
    volatilePaths: [
        '/metrics/request_id',
        '/metrics/timestamp',
        '/consensus/timestamp',
        '/metrics/latency_ms',
        '/metrics/total_latency_ms',
        '/metrics/provider_latencies',
        '/metrics/cache_hit',
    ],
    where: {
        t1: '/metrics/providers_called',
        t2: '(not reported by toron-3)',
        t3: '/consensus/evidence_strength',
        tierPath: '/metrics/tier4_arbitration_invoked',
        opusEscalated: '/consensus/arbitration_source',
        judicial: '/consensus/arbitration_model',
        contradictions: '(not reported by toron-3)',
    },
    answerPointer: (body) => `/consensus/${FIELDS[formOf(read_at(body, '/consensus'), read_at(body, '/metrics'))].answer}`,
    view,
};

;// CONCATENATED MODULE: ./src/engine/profiles/index.ts






/** The built-in profiles; `custom` is built from its pointers (customProfile). */
const PROFILES = {
    'toron-2.5h': toron25hProfile,
    'toron-2.5h-stability': toron25hStabilityProfile,
    'toron-3': toron3Profile,
};
const customCache = new WeakMap();
/**
 * The profile for a name. `auto` is resolved per answer by shape (null when the shape is not a known
 * generation); `custom` needs its pointers (null without them).
 */
function profileFor(name, body, custom = null) {
    if (name === 'custom') {
        if (!custom)
            return null;
        let p = customCache.get(custom);
        if (!p)
            customCache.set(custom, (p = customProfile(custom)));
        return p;
    }
    if (name === 'auto') {
        const detected = detectProfile(body);
        return detected ? PROFILES[detected] : null;
    }
    return PROFILES[name];
}
/**
 * The members a profile's engines change on every call, for this answer: `auto` detects the shape
 * (none for an unknown one), `custom` has none (the user's replay.ignorePaths say).
 */
function volatilePathsFor(name, body) {
    if (name === 'custom')
        return NO_PATHS;
    const detected = name === 'auto' ? detect_detectProfile(body) : name;
    return detected ? PROFILES[detected].volatilePaths : NO_PATHS;
}
const NO_PATHS = [];

;// CONCATENATED MODULE: ./src/util/fs.ts


/** Write a file whole or not at all (temp file + rename), so a crash never leaves half a report. */
function writeFileAtomic(file, data) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
}
/**
 * JSON, atomically. Indented for people; `compact` for files of 100k cases, where indentation doubles
 * the size and the peak memory of writing it. The bytes are exactly `JSON.stringify(value, null,
 * indent) + '\n'`, written piece by piece (see writeJsonPieces): a report of 100k cases is never one
 * string of tens of MB plus its UTF-8 copy.
 */
function writeJsonAtomic(file, value, opts = {}) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
        const out = new PieceWriter(fd);
        writeJsonPieces(value, opts.compact ? '' : '  ', (s) => out.put(s), opts.itemTexts);
        out.put('\n');
        out.flush();
    }
    catch (err) {
        fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
        throw err;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
}
/** Strings gathered into writes of about WRITE_BYTES. */
const WRITE_BYTES = (/* unused pure expression or super */ null && (1 << 20));
/**
 * Encodes the pieces into one buffer, reused for every write: a new buffer per megabyte would be
 * memory outside the JS heap that only a garbage collection gives back (44 MB of them for the two
 * JSON files of a 100k-case run, at the moment the heap is fullest).
 */
class PieceWriter {
    fd;
    buf = Buffer.allocUnsafe(WRITE_BYTES);
    used = 0;
    constructor(fd) {
        this.fd = fd;
    }
    put(s) {
        // A UTF-16 unit is at most 3 UTF-8 bytes.
        if (s.length * 3 > this.buf.length - this.used) {
            this.flush();
            if (s.length * 3 > this.buf.length) {
                writeExactly(this.fd, Buffer.from(s));
                return;
            }
        }
        this.used += this.buf.write(s, this.used);
    }
    flush() {
        if (this.used === 0)
            return;
        writeExactly(this.fd, this.buf.subarray(0, this.used));
        this.used = 0;
    }
}
/** All of `buf` to `fd` (writeSync may write less than asked), at `position` or at the file's offset. */
function writeExactly(fd, buf, position) {
    let done = 0;
    while (done < buf.length) {
        done += external_node_fs_default().writeSync(fd, buf, done, buf.length - done, position === undefined ? null : position + done);
    }
}
/** Objects this deep are walked member by member; deeper values go to JSON.stringify whole. */
const WALK_DEPTH = 4;
/** Arrays this long are written item by item (each item whole); shorter ones go to JSON.stringify whole. */
const STREAM_ITEMS = 256;
/**
 * JSON.stringify(value, null, indent) handed out in pieces: plain objects of the top WALK_DEPTH levels,
 * and the arrays of STREAM_ITEMS or more items among them, are walked here with JSON.stringify's rules (toJSON called with the member's key,
 * members that are undefined, functions or symbols left out, such array items written as null, the
 * same indentation); every value below them, or of another kind, is JSON.stringify's own text
 * re-indented to its level (a newline in JSON.stringify output is always indentation: newlines inside
 * strings are escaped). Throws what JSON.stringify throws (BigInt, cycles).
 */
function writeJsonPieces(value, indent, put, itemTexts) {
    const v = resolve(value, '');
    put(leftOut(v) ? 'undefined' : (piece(v, indent, '', 0, put, itemTexts) ?? 'undefined'));
}
function resolve(v, key) {
    return typeof v === 'object' && v !== null && typeof v.toJSON === 'function'
        ? v.toJSON(key)
        : v;
}
function leftOut(v) {
    return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}
function walkable(v) {
    if (Array.isArray(v))
        return true;
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}
/**
 * Writes the (toJSON-resolved) value `v` at indentation `pad`: a container of the top levels goes out
 * through `put` (and '' is returned); anything else is returned as text for the caller to put.
 */
function piece(v, indent, pad, depth, put, itemTexts) {
    if (typeof v !== 'object' || v === null || depth >= WALK_DEPTH || !walkable(v) || (Array.isArray(v) && v.length < STREAM_ITEMS)) {
        const s = JSON.stringify(v, null, indent);
        return s === undefined || !indent || pad === '' ? s : s.replace(/\n/g, '\n' + pad);
    }
    const inner = pad + indent;
    const open = indent ? '\n' + inner : '';
    const sep = indent ? ',\n' + inner : ',';
    const close = indent ? '\n' + pad : '';
    if (Array.isArray(v)) {
        if (v.length === 0)
            return '[]';
        put('[' + open);
        for (let i = 0; i < v.length; i++) {
            if (i > 0)
                put(sep);
            // Each item whole (depth WALK_DEPTH): one JSON.stringify per report case, not one per field.
            const item = resolve(v[i], String(i));
            // Compact text does not depend on where the item is; an item that went through toJSON is not cached.
            const cacheable = itemTexts !== undefined && indent === '' && item === v[i] && typeof item === 'object' && item !== null;
            let text = cacheable ? itemTexts.get(item) : undefined;
            if (text === undefined) {
                text = leftOut(item) ? 'null' : (piece(item, indent, inner, WALK_DEPTH, put) ?? 'null');
                if (cacheable)
                    itemTexts.set(item, text);
            }
            put(text);
        }
        put(close + ']');
        return '';
    }
    const colon = indent ? ': ' : ':';
    let first = true;
    for (const k of Object.keys(v)) {
        const member = resolve(v[k], k);
        if (leftOut(member))
            continue;
        put((first ? '{' + open : sep) + JSON.stringify(k) + colon);
        first = false;
        put(piece(member, indent, inner, depth + 1, put, itemTexts) ?? 'null');
    }
    if (first)
        return '{}';
    put(close + '}');
    return '';
}

;// CONCATENATED MODULE: ./src/snapshot/writer.ts











const writer_NO_PATHS = [];
/** Spool chunk: entries are written into it as bytes and the chunk goes to the spool file when full. */
const CHUNK_BYTES = 1 << 20;
/** The answer's UTF-8 scratch: room for any answer up to 64 KB of text. */
const UTF8_BYTES = 192 << 10;
/**
 * Builds a snapshot from SIM's answers as they arrive (an AnswerObserver). Each case's first attempt
 * is canonicalised and hashed at once and its line appended to a spool file beside the snapshot, so
 * memory stays flat whatever the suite size: only a (case index -> spool offset) map and the latencies
 * are kept. `finish` puts the snapshot in place by a rename: a crashed run never leaves half a snapshot.
 *
 * The spool is laid out as the snapshot is (src/snapshot/layout.ts: the opening, case lines joined by
 * `,\n`, the header last), so when answers came in case order (an in-process engine, or one worker)
 * the spool plus its closing line is the snapshot, hashed as it was written, and is renamed into
 * place; otherwise each line is read back in case order into a new file. Either way the bytes are the
 * same. Lines go into the spool chunk as bytes (no per-answer line string, no joined batch string).
 */
class SnapshotWriter {
    opts;
    name = 'snapshot';
    spoolPath;
    fd = null;
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    utf8 = Buffer.allocUnsafe(UTF8_BYTES);
    used = OPENING.copy(this.chunk, 0);
    /** sha256 of the spool so far, while it is the snapshot's prefix (answers in case order). */
    spoolSha = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    /** The spool's CRC-32 as it is written, for the bundle's zip entry (which would otherwise read the whole file for it once more). */
    spoolCrc = 0;
    spoolBytes = 0;
    where = new SpoolIndex();
    /** Highest case index spooled so far; spool order is case order while each new one is higher. */
    lastIndex = -1;
    inOrder = true;
    lines;
    latencies = [];
    answered = 0;
    errored = 0;
    done = false;
    constructor(opts) {
        this.opts = opts;
        this.spoolPath = spoolPath(opts.file);
        this.lines = new SnapshotLines(opts);
    }
    /** Cases recorded so far. */
    get cases() {
        return this.where.size;
    }
    get counts() {
        return { answered: this.answered, errored: this.errored, latencies: this.latencies };
    }
    observe(o) {
        // The snapshot holds each case's first attempt; repeats have seeds of their own.
        if (this.done || o.repeat !== 0 || this.where.has(o.caseIndex))
            return;
        const { entry, canonical } = this.lines.describe(o);
        if (canonical === null || !o.result.ok) {
            this.errored++;
            this.append(o.caseIndex, JSON.stringify(entry), -1);
            return;
        }
        this.appendAnswered(o.caseIndex, JSON.stringify(entry), canonical, o.result.raw, o.result.latencyMs);
    }
    /** Spools a line made elsewhere (SnapshotLines.prepare): the same bytes observe would have written. */
    appendPrepared(p) {
        if (this.done || this.where.has(p.caseIndex))
            return;
        if (p.answer === null) {
            this.errored++;
            this.append(p.caseIndex, p.meta, -1);
        }
        else if (p.raw !== undefined)
            this.appendAnswered(p.caseIndex, p.meta, p.answer, p.raw, p.latencyMs);
        else {
            const answerBytes = this.encode(p.answer);
            this.answered++;
            this.latencies.push(p.latencyMs);
            this.append(p.caseIndex, p.meta, answerBytes);
        }
    }
    /** An answered case's line from its entry text without the hashes (answeredMeta), hashed here. */
    appendAnswered(caseIndex, entryText, canonical, raw, latencyMs) {
        // The canonical answer's UTF-8 bytes (in this.utf8), encoded once: they are hashed and copied into
        // the spool. Text with characters beyond Latin-1 (Japanese in an answer) is held as UTF-16, and each
        // encoding of 7 KB of it costs more than hashing it; hashing the string and writing it again took
        // three (with Buffer.byteLength), a third of this thread's time.
        const answerBytes = this.encode(canonical);
        const hash = sha256HexOf(this.utf8.subarray(0, answerBytes));
        // An engine that sends compact JSON with sorted members sends its canonical form: one hash serves.
        const rawHash = raw === canonical ? hash : sha256Hex(raw);
        this.answered++;
        this.latencies.push(latencyMs);
        this.append(caseIndex, answeredMeta(entryText, hash, rawHash, raw.length), answerBytes);
    }
    /** The line: the entry's JSON with the answer (this.utf8's first `answerBytes`, canonical JSON text already) last and verbatim. */
    append(caseIndex, meta, answerBytes) {
        const sep = this.where.size > 0 ? SEPARATOR.length : 0;
        const metaBytes = Buffer.byteLength(meta);
        const length = answerBytes < 0 ? metaBytes : metaBytes - 1 + ANSWER_KEY.length + answerBytes + 1;
        this.reserve(sep + length);
        const c = this.chunk;
        let at = this.used;
        if (sep)
            at += SEPARATOR.copy(c, at);
        const offset = this.spoolBytes + at;
        if (answerBytes < 0)
            at += c.write(meta, at, 'utf8');
        else {
            at += c.write(meta, at, metaBytes - 1, 'utf8');
            at += ANSWER_KEY.copy(c, at);
            at += this.utf8.copy(c, at, 0, answerBytes);
            c[at++] = 0x7d; // }
        }
        this.used = at;
        this.where.set(caseIndex, offset, length);
        if (caseIndex < this.lastIndex)
            this.inOrder = false;
        else
            this.lastIndex = caseIndex;
    }
    /**
     * Writes `<file>` (cases in case order) and returns what was written; null when no answer was
     * observed (nothing to snapshot). Idempotent: later calls return null.
     */
    finish(header) {
        if (this.done)
            return null;
        this.done = true;
        if (this.where.size === 0) {
            this.cleanup();
            return null;
        }
        const full = {
            schemaVersion: SNAPSHOT_SCHEMA_VERSION,
            kind: SNAPSHOT_KIND,
            ...header,
            canonical: { form: 'RFC 8785', hash: 'sha256', ignorePaths: [...this.opts.configIgnorePaths] },
            caseCount: this.where.size,
        };
        const closing = Buffer.from(casesClosing(full));
        external_node_fs_default().mkdirSync(external_node_path_default().dirname(this.opts.file), { recursive: true });
        const written = this.inOrder ? this.finishInPlace(closing) : this.finishByCopy(closing);
        this.cleanup();
        return { file: this.opts.file, ...written, cases: full.caseCount, createdAt: header.createdAt, settingsHash: header.settingsHash };
    }
    /**
     * The spool is the snapshot but for its closing line: appended and renamed into place. No fsync, as
     * for the run's other files: it cost 0.9 s at 100k cases, and a snapshot cut short by a crash of the
     * machine lacks its last line, the header, so the reader refuses it rather than misread it.
     */
    finishInPlace(closing) {
        this.reserve(closing.length);
        closing.copy(this.chunk, this.used);
        this.used += closing.length;
        this.flush();
        try {
            external_node_fs_default().renameSync(this.spoolPath, this.opts.file);
        }
        catch (err) {
            this.cleanup();
            throw err;
        }
        return { sha256: this.spoolSha.digest('hex'), bytes: this.spoolBytes, crc32: this.spoolCrc };
    }
    /** Answers came out of case order: each line is read back by its offset, in case order, into a new file. */
    finishByCopy(closing) {
        this.flush();
        const tmp = `${this.opts.file}.${process.pid}.tmp`;
        const sha = (0,external_node_crypto_namespaceObject.createHash)('sha256');
        let crc32 = 0;
        let bytes = 0;
        const out = external_node_fs_default().openSync(tmp, 'w');
        try {
            const put = (buf) => {
                writeExactly(out, buf);
                sha.update(buf);
                crc32 = external_node_zlib_default().crc32(buf, crc32);
                bytes += buf.length;
            };
            put(OPENING);
            let buf = Buffer.alloc(64 * 1024);
            let first = true;
            for (const { offset, length } of this.where.inCaseOrder()) {
                const sep = first ? 0 : SEPARATOR.length;
                first = false;
                if (buf.length < length + sep)
                    buf = Buffer.alloc(length + sep);
                if (sep)
                    SEPARATOR.copy(buf, 0);
                readExactly(this.fd, buf, length, offset, sep);
                put(buf.subarray(0, sep + length));
            }
            put(closing);
        }
        catch (err) {
            external_node_fs_default().closeSync(out);
            external_node_fs_default().rmSync(tmp, { force: true });
            this.cleanup();
            throw err;
        }
        external_node_fs_default().closeSync(out);
        external_node_fs_default().renameSync(tmp, this.opts.file);
        return { sha256: sha.digest('hex'), bytes, crc32 };
    }
    /** Drops everything (a cancelled run's partial snapshot must not become a baseline). */
    discard() {
        this.done = true;
        this.cleanup();
    }
    /** `text` as UTF-8 at the start of this.utf8 (grown to fit); returns its length in bytes. */
    encode(text) {
        // At most 3 bytes per UTF-16 unit: room checked without measuring the text first.
        if (this.utf8.length < text.length * 3)
            this.utf8 = Buffer.allocUnsafe(Math.max(text.length * 3, UTF8_BYTES));
        else if (this.utf8.length > UTF8_BYTES && text.length * 3 <= UTF8_BYTES)
            this.utf8 = Buffer.allocUnsafe(UTF8_BYTES); // not kept after one huge answer
        return this.utf8.write(text, 0, 'utf8');
    }
    /** Room for `bytes` more in the chunk: the chunk goes to the spool first if they do not fit. */
    reserve(bytes) {
        if (this.used + bytes <= this.chunk.length)
            return;
        this.flush();
        if (bytes > this.chunk.length)
            this.chunk = Buffer.allocUnsafe(bytes);
    }
    flush() {
        if (this.used === 0)
            return;
        if (this.fd === null) {
            external_node_fs_default().mkdirSync(external_node_path_default().dirname(this.spoolPath), { recursive: true });
            this.fd = external_node_fs_default().openSync(this.spoolPath, 'w+');
        }
        const bytes = this.chunk.subarray(0, this.used);
        writeExactly(this.fd, bytes, this.spoolBytes);
        if (this.inOrder) {
            this.spoolSha.update(bytes);
            this.spoolCrc = external_node_zlib_default().crc32(bytes, this.spoolCrc);
        }
        this.spoolBytes += this.used;
        this.used = 0;
        // A chunk grown for one huge answer is not kept for the rest of the run.
        if (this.chunk.length > CHUNK_BYTES)
            this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    }
    cleanup() {
        this.used = 0;
        if (this.fd !== null) {
            external_node_fs_default().closeSync(this.fd);
            this.fd = null;
        }
        external_node_fs_default().rmSync(this.spoolPath, { force: true });
    }
}
/**
 * The entry text of an answered case, from the entry's JSON without its hashes: the hashes and the raw
 * size are its last members (SnapshotCase's order), so they are appended rather than written into an
 * entry object that is serialised again. Hex digests and a whole number need no escaping.
 */
function answeredMeta(entryText, hash, rawHash, bytes) {
    return `${entryText.slice(0, -1)},"hash":"${hash}","rawHash":"${rawHash}","bytes":${bytes}}`;
}
/**
 * What a case's snapshot line says: its entry (everything but the answer's hash) and its canonical
 * answer. Shared by the writer and by whoever prepares lines for it on another thread, so that both
 * write the same bytes.
 */
class SnapshotLines {
    opts;
    ignoreCache = new Map();
    constructor(opts) {
        this.opts = opts;
    }
    /**
     * The entry of an observed answer and its canonical text (null when the entry records an error). An
     * answered entry is still without its hashes and size: answeredMeta appends them to its JSON.
     */
    describe(o) {
        const volatile = this.opts.volatileFrom && o.result.ok ? volatilePathsFor(this.opts.volatileFrom, o.result.body) : writer_NO_PATHS;
        const ignore = this.ignoreFor(o.case.ignorePaths, volatile);
        const entry = {
            dataset: o.case.dataset,
            id: o.case.id,
            repeat: o.repeat,
            seed: o.seed,
            input: o.case.input,
            ignorePaths: ignore.paths,
            location: o.case.location,
            status: 'ok',
            latencyMs: round2(o.result.latencyMs),
        };
        const r = o.result;
        let unreadable;
        if (r.ok && ignore.error === undefined) {
            try {
                return { entry, canonical: canonicalJson(r.body, ignore.tree) };
            }
            catch (err) {
                // An answer nested deeper than the walk's stack (thousands of levels), or holding a BigInt:
                // the case is kept as an error, so that the rest of the suite still gets its snapshot.
                unreadable = noCanonicalForm(err);
            }
        }
        entry.status = 'error';
        entry.error = !r.ok
            ? { kind: r.error.kind, message: r.error.message }
            : unreadable !== undefined
                ? { kind: 'unreadable', message: unreadable }
                : { kind: 'ignore_paths', message: ignore.error };
        return { entry, canonical: null };
    }
    /**
     * The line of an observed first attempt, ready for SnapshotWriter.appendPrepared: whole when `hashed`,
     * else with the hashes left to the writer (the raw text goes along for its hash).
     */
    prepare(o, hashed) {
        const { entry, canonical } = this.describe(o);
        const r = o.result;
        if (canonical === null || !r.ok)
            return { caseIndex: o.caseIndex, meta: JSON.stringify(entry), answer: null, latencyMs: null };
        const entryText = JSON.stringify(entry);
        if (!hashed)
            return { caseIndex: o.caseIndex, meta: entryText, answer: canonical, latencyMs: r.latencyMs, raw: r.raw };
        const hash = sha256Hex(canonical);
        const meta = answeredMeta(entryText, hash, r.raw === canonical ? hash : sha256Hex(r.raw), r.raw.length);
        return { caseIndex: o.caseIndex, meta, answer: canonical, latencyMs: r.latencyMs };
    }
    ignoreFor(casePaths, volatile) {
        // A few distinct volatile lists (a profile's constant), then the case's list by its text (the
        // writer thread gets each case's list as a fresh copy).
        let byCase = this.ignoreCache.get(volatile);
        if (!byCase)
            this.ignoreCache.set(volatile, (byCase = new Map()));
        const caseKey = casePaths.length === 1 ? casePaths[0] : casePaths.join('\u0000');
        let hit = byCase.get(caseKey);
        if (!hit) {
            const paths = unionPaths(this.opts.configIgnorePaths, casePaths, volatile);
            try {
                hit = { paths, tree: compileIgnorePaths(paths) };
            }
            catch (err) {
                hit = { paths, tree: null, error: err.message };
            }
            byCase.set(caseKey, hit);
        }
        return hit;
    }
}
/** Where the writer of `file` keeps its spool (beside it: the rename into place stays on one file system). */
function spoolPath(file) {
    return `${file}.${process.pid}.spool`;
}
const ANSWER_KEY = Buffer.from(',"answer":');
const OPENING = Buffer.from(CASES_OPENING);
const SEPARATOR = Buffer.from(CASE_SEPARATOR);
function readExactly(fd, buf, length, position, at = 0) {
    let got = 0;
    while (got < length) {
        const n = external_node_fs_default().readSync(fd, buf, at + got, length - got, position + got);
        if (n === 0)
            throw new Error(`snapshot spool ended early (wanted ${length} bytes at ${position})`);
        got += n;
    }
}
function round2(x) {
    return Math.round(x * 100) / 100;
}

;// CONCATENATED MODULE: ./src/snapshot/thread-main.ts
/**
 * The snapshot writer thread: a SnapshotWriter fed with the answers the main thread posts. Built on its
 * own into dist/snapshot-thread/ (package.json "build"); started by ThreadedSnapshotWriter.
 */



const init = external_node_worker_threads_namespaceObject.workerData;
if (external_node_worker_threads_namespaceObject.parentPort && init?.role === SNAPSHOT_THREAD_ROLE)
    serve(external_node_worker_threads_namespaceObject.parentPort, init);
function serve(port, init) {
    const writer = new SnapshotWriter(init.options);
    // The first failure stops the writing; it is reported when the main thread asks for the snapshot.
    let failure = null;
    const spooled = new Int32Array(init.spooled);
    const send = (m) => port.postMessage(m);
    port.on('message', (m) => {
        if (m.type === 'answers') {
            if (failure === null) {
                try {
                    for (const a of m.batch) {
                        if ('prepared' in a) {
                            writer.appendPrepared(a);
                            continue;
                        }
                        const r = a.result;
                        writer.observe({
                            case: a.case,
                            caseIndex: a.caseIndex,
                            repeat: 0,
                            seed: a.seed,
                            passed: a.passed,
                            // The body as the adapter made it: its own text when secrets were blanked out of it, else
                            // JSON.parse of the raw text (a BOM is not JSON).
                            result: r.ok
                                ? { ok: true, body: JSON.parse(r.bodyText ?? (r.raw.charCodeAt(0) === 0xfeff ? r.raw.slice(1) : r.raw)), raw: r.raw, latencyMs: r.latencyMs }
                                : r,
                        });
                    }
                }
                catch (err) {
                    failure = err.message;
                }
            }
            Atomics.add(spooled, 0, m.batch.length);
            send({ type: 'ack', answers: m.batch.length });
            return;
        }
        try {
            if (m.type === 'counts')
                send({ type: 'reply', id: m.id, counts: writer.counts });
            else if (m.type === 'discard') {
                writer.discard();
                send({ type: 'reply', id: m.id });
            }
            else if (failure !== null) {
                writer.discard();
                send({ type: 'reply', id: m.id, error: failure });
            }
            else
                send({ type: 'reply', id: m.id, written: writer.finish(m.header) });
        }
        catch (err) {
            send({ type: 'reply', id: m.id, error: err.message });
        }
    });
}

