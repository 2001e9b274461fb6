/*
 * ot-text-unicode 4.0.0 (https://github.com/ottypes/text), the text OT type of ShareDB, with its
 * one dependency unicount 1.1.0 (https://github.com/josephg/unicount), bundled as one ES module
 * for the browser: `import { type } from './vendor/ot-text-unicode.js'`. Exports: type (apply,
 * compose, transform, transformPosition, invertWithDoc, normalize, checkOp, …), insert, remove,
 * makeType. Ops count Unicode code points, not UTF-16 units (see ../textpos.js).
 * events/text_ops.py is its Python twin; tests/vectors/text_ops.json holds both to it.
 *
 * Produced unmodified, outside the repository, with:
 *   mkdir /tmp/otvec && cd /tmp/otvec && npm init -y && npm install ot-text-unicode@4.0.0 esbuild@0.28.2
 *   echo "export { type, insert, remove, makeType } from 'ot-text-unicode'" > entry.mjs
 *   npx esbuild entry.mjs --bundle --format=esm --target=es2020 --outfile=out.js
 *   cat header.js out.js > client/web/vendor/ot-text-unicode.js   # header.js: this comment
 *
 * Licenses. ot-text-unicode: package.json says ISC; its README says: "All code contributed to
 * this repository is licensed under the standard MIT license: Copyright 2011 ottypes library
 * contributors. Permission is hereby granted, free of charge, to any person obtaining a copy of
 * this software and associated documentation files (the "Software"), to deal in the Software
 * without restriction, including without limitation the rights to use, copy, modify, merge,
 * publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to
 * whom the Software is furnished to do so, subject to the following condition: THE SOFTWARE IS
 * PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED
 * TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN
 * NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
 * CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."
 * unicount: ISC. "Copyright 2019 Joseph Gentle. Permission to use, copy, modify, and/or
 * distribute this software for any purpose with or without fee is hereby granted, provided that
 * the above copyright notice and this permission notice appear in all copies. THE SOFTWARE IS
 * PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS SOFTWARE
 * INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR
 * BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT,
 * NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR
 * PERFORMANCE OF THIS SOFTWARE."
 */
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __commonJS = (cb, mod) => function __require() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// node_modules/unicount/index.js
var require_unicount = __commonJS({
  "node_modules/unicount/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.uniToStrPos = exports.strPosToUni = void 0;
    exports.strPosToUni = (s, strOffset = s.length) => {
      let pairs = 0;
      let i = 0;
      for (; i < strOffset; i++) {
        const code = s.charCodeAt(i);
        if (code >= 55296 && code <= 57343) {
          pairs++;
          i++;
        }
      }
      if (i !== strOffset)
        throw Error("Invalid offset - splits unicode bytes");
      return i - pairs;
    };
    exports.uniToStrPos = (s, uniOffset) => {
      let pos = 0;
      for (; uniOffset > 0; uniOffset--) {
        const code = s.charCodeAt(pos);
        pos += code >= 55296 && code <= 57343 ? 2 : 1;
      }
      return pos;
    };
  }
});

// node_modules/ot-text-unicode/dist/type.js
var require_type = __commonJS({
  "node_modules/ot-text-unicode/dist/type.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.uniSlice = exports.dlen = exports.eachOp = void 0;
    var unicount_1 = require_unicount();
    var debugMode = false;
    var checkOp = (op) => {
      if (!Array.isArray(op))
        throw Error("Op must be an array of components");
      let last = null;
      for (let i = 0; i < op.length; i++) {
        const c = op[i];
        switch (typeof c) {
          case "object":
            if (typeof c.d !== "number" && typeof c.d !== "string")
              throw Error("Delete must be number or string");
            if (exports.dlen(c.d) <= 0)
              throw Error("Deletes must not be empty");
            break;
          case "string":
            if (!(c.length > 0))
              throw Error("Inserts cannot be empty");
            break;
          case "number":
            if (!(c > 0))
              throw Error("Skip components must be >0");
            if (typeof last === "number")
              throw Error("Adjacent skip components should be combined");
            break;
        }
        last = c;
      }
      if (typeof last === "number")
        throw Error("Op has a trailing skip");
    };
    function eachOp(op, fn) {
      let prePos = 0, postPos = 0;
      for (let i = 0; i < op.length; i++) {
        const c = op[i];
        fn(c, prePos, postPos);
        switch (typeof c) {
          case "object":
            prePos += exports.dlen(c.d);
            break;
          case "string":
            postPos += unicount_1.strPosToUni(c);
            break;
          case "number":
            prePos += c;
            postPos += c;
            break;
        }
      }
    }
    exports.eachOp = eachOp;
    function mapOp(op, fn) {
      const newOp = [];
      const append = makeAppend(newOp);
      eachOp(op, (c, prePos, postPos) => {
        append(fn(c, prePos, postPos));
      });
      return trim(newOp);
    }
    var id = (x) => x;
    var normalize = (op) => {
      return mapOp(op, id);
    };
    exports.dlen = (d) => typeof d === "number" ? d : unicount_1.strPosToUni(d);
    var makeAppend = (op) => (component) => {
      if (!component || component.d === 0 || component.d === "") {
      } else if (op.length === 0) {
        op.push(component);
      } else if (typeof component === typeof op[op.length - 1]) {
        if (typeof component === "object") {
          const last = op[op.length - 1];
          last.d = typeof last.d === "string" && typeof component.d === "string" ? last.d + component.d : exports.dlen(last.d) + exports.dlen(component.d);
        } else {
          op[op.length - 1] += component;
        }
      } else {
        op.push(component);
      }
    };
    var componentLength = (c) => typeof c === "number" ? c : typeof c === "string" ? unicount_1.strPosToUni(c) : typeof c.d === "number" ? c.d : unicount_1.strPosToUni(c.d);
    exports.uniSlice = (s, startUni, endUni) => {
      const start = unicount_1.uniToStrPos(s, startUni);
      const end = endUni == null ? Infinity : unicount_1.uniToStrPos(s, endUni);
      return s.slice(start, end);
    };
    var dslice = (d, start, end) => typeof d === "number" ? end == null ? d - start : Math.min(d, end) - start : exports.uniSlice(d, start, end);
    var makeTake = (op) => {
      let idx = 0;
      let offset = 0;
      const take = (n, indivisableField) => {
        if (idx === op.length)
          return n === -1 ? null : n;
        const c = op[idx];
        let part;
        if (typeof c === "number") {
          if (n === -1 || c - offset <= n) {
            part = c - offset;
            ++idx;
            offset = 0;
            return part;
          } else {
            offset += n;
            return n;
          }
        } else if (typeof c === "string") {
          if (n === -1 || indivisableField === "i" || unicount_1.strPosToUni(c.slice(offset)) <= n) {
            part = c.slice(offset);
            ++idx;
            offset = 0;
            return part;
          } else {
            const offset2 = offset + unicount_1.uniToStrPos(c.slice(offset), n);
            part = c.slice(offset, offset2);
            offset = offset2;
            return part;
          }
        } else {
          if (n === -1 || indivisableField === "d" || exports.dlen(c.d) - offset <= n) {
            part = { d: dslice(c.d, offset) };
            ++idx;
            offset = 0;
            return part;
          } else {
            let result = dslice(c.d, offset, offset + n);
            offset += n;
            return { d: result };
          }
        }
      };
      const peek = () => op[idx];
      return { take, peek };
    };
    var trim = (op) => {
      if (op.length > 0 && typeof op[op.length - 1] === "number") {
        op.pop();
      }
      return op;
    };
    function transform(op1, op2, side) {
      if (side !== "left" && side !== "right") {
        throw Error("side (" + side + ") must be 'left' or 'right'");
      }
      checkOp(op1);
      checkOp(op2);
      const newOp = [];
      const append = makeAppend(newOp);
      const { take, peek } = makeTake(op1);
      for (let i = 0; i < op2.length; i++) {
        const c2 = op2[i];
        let length, c1;
        switch (typeof c2) {
          case "number":
            length = c2;
            while (length > 0) {
              c1 = take(length, "i");
              append(c1);
              if (typeof c1 !== "string") {
                length -= componentLength(c1);
              }
            }
            break;
          case "string":
            if (side === "left") {
              if (typeof peek() === "string") {
                append(take(-1));
              }
            }
            append(unicount_1.strPosToUni(c2));
            break;
          case "object":
            length = exports.dlen(c2.d);
            while (length > 0) {
              c1 = take(length, "i");
              switch (typeof c1) {
                case "number":
                  length -= c1;
                  break;
                case "string":
                  append(c1);
                  break;
                case "object":
                  length -= exports.dlen(c1.d);
              }
            }
            break;
        }
      }
      let c;
      while (c = take(-1))
        append(c);
      if (debugMode && isInvertible(op1) && isInvertible(op2) && !isInvertible(newOp)) {
        throw Error("Internal error - composed operation should also be invertible");
      }
      return trim(newOp);
    }
    function compose(op1, op2) {
      checkOp(op1);
      checkOp(op2);
      const result = [];
      const append = makeAppend(result);
      const { take } = makeTake(op1);
      for (let i = 0; i < op2.length; i++) {
        const component = op2[i];
        let length, chunk;
        switch (typeof component) {
          case "number":
            length = component;
            while (length > 0) {
              chunk = take(length, "d");
              append(chunk);
              if (typeof chunk !== "object") {
                length -= componentLength(chunk);
              }
            }
            break;
          case "string":
            append(component);
            break;
          case "object":
            length = exports.dlen(component.d);
            let offset = 0;
            while (offset < length) {
              chunk = take(length - offset, "d");
              switch (typeof chunk) {
                case "number":
                  append({ d: dslice(component.d, offset, offset + chunk) });
                  offset += chunk;
                  break;
                case "string":
                  offset += unicount_1.strPosToUni(chunk);
                  break;
                case "object":
                  append(chunk);
              }
            }
            break;
        }
      }
      let c;
      while (c = take(-1))
        append(c);
      if (debugMode && isInvertible(op1) && isInvertible(op2) && !isInvertible(result)) {
        throw Error("Internal error - composed operation should also be invertible");
      }
      return trim(result);
    }
    var transformPosition = (cursor, op) => {
      let pos = 0;
      for (let i = 0; i < op.length && cursor > pos; i++) {
        const c = op[i];
        switch (typeof c) {
          case "number": {
            pos += c;
            break;
          }
          case "string":
            const offset = unicount_1.strPosToUni(c);
            pos += offset;
            cursor += offset;
            break;
          case "object":
            cursor -= Math.min(exports.dlen(c.d), cursor - pos);
            break;
        }
      }
      return cursor;
    };
    var transformSelection = (selection, op) => typeof selection === "number" ? transformPosition(selection, op) : selection.map((s) => transformPosition(s, op));
    function makeInvertible(op, doc, ropeImpl) {
      return mapOp(op, (c, prePos) => typeof c === "object" && typeof c.d === "number" ? { d: ropeImpl.slice(doc, prePos, prePos + c.d) } : c);
    }
    function invert(op) {
      return mapOp(op, (c) => {
        switch (typeof c) {
          case "object":
            if (typeof c.d === "number") {
              throw Error("Cannot invert text op: Deleted characters missing from operation. makeInvertible must be called first.");
            } else
              return c.d;
          // delete -> insert
          case "string":
            return { d: c };
          // Insert -> delete
          case "number":
            return c;
        }
      });
    }
    function stripInvertible(op) {
      return mapOp(op, (c) => typeof c === "object" && typeof c.d === "string" ? { d: unicount_1.strPosToUni(c.d) } : c);
    }
    function isInvertible(op) {
      let invertible = true;
      eachOp(op, (c) => {
        if (typeof c === "object" && typeof c.d === "number")
          invertible = false;
      });
      return invertible;
    }
    function makeType2(ropeImpl) {
      return {
        name: "text-unicode",
        uri: "http://sharejs.org/types/text-unicode",
        trim,
        normalize,
        checkOp,
        /** Create a new text snapshot.
         *
         * @param {string} initial - initial snapshot data. Optional. Defaults to ''.
         * @returns {Snap} Initial document snapshot object
         */
        create(initial = "") {
          if (typeof initial !== "string") {
            throw Error("Initial data must be a string");
          }
          return ropeImpl.create(initial);
        },
        /** Apply an operation to a document snapshot
         */
        apply(str, op) {
          checkOp(op);
          const builder = ropeImpl.builder(str);
          for (let i = 0; i < op.length; i++) {
            const component = op[i];
            switch (typeof component) {
              case "number":
                builder.skip(component);
                break;
              case "string":
                builder.append(component);
                break;
              case "object":
                builder.del(exports.dlen(component.d));
                break;
            }
          }
          return builder.build();
        },
        transform,
        compose,
        transformPosition,
        transformSelection,
        isInvertible,
        makeInvertible(op, doc) {
          return makeInvertible(op, doc, ropeImpl);
        },
        stripInvertible,
        invert,
        invertWithDoc(op, doc) {
          return invert(makeInvertible(op, doc, ropeImpl));
        },
        isNoop: (op) => op.length === 0
      };
    }
    exports.default = makeType2;
  }
});

// node_modules/ot-text-unicode/dist/api.js
var require_api = __commonJS({
  "node_modules/ot-text-unicode/dist/api.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var type_1 = require_type();
    var unicount_1 = require_unicount();
    function api(getSnapshot, submitOp) {
      return {
        // Returns the text content of the document
        get: getSnapshot,
        // Returns the number of characters in the string
        getLength() {
          return getSnapshot().length;
        },
        // Insert the specified text at the given position in the document
        insert(pos, text, callback) {
          const uniPos = unicount_1.strPosToUni(getSnapshot(), pos);
          return submitOp([uniPos, text], callback);
        },
        remove(pos, lengthOrContent, callback) {
          const uniPos = unicount_1.strPosToUni(getSnapshot(), pos);
          return submitOp([uniPos, { d: lengthOrContent }], callback);
        },
        // When you use this API, you should implement these two methods
        // in your editing context.
        //onInsert: function(pos, text) {},
        //onRemove: function(pos, removedLength) {},
        _onOp(op) {
          type_1.eachOp(op, (component, prePos, postPos) => {
            switch (typeof component) {
              case "string":
                if (this.onInsert)
                  this.onInsert(postPos, component);
                break;
              case "object":
                const dl = type_1.dlen(component.d);
                if (this.onRemove)
                  this.onRemove(postPos, dl);
            }
          });
        },
        onInsert: null,
        onRemove: null
      };
    }
    exports.default = api;
    api.provides = { text: true };
  }
});

// node_modules/ot-text-unicode/dist/index.js
var require_dist = __commonJS({
  "node_modules/ot-text-unicode/dist/index.js"(exports) {
    "use strict";
    var __createBinding = exports && exports.__createBinding || (Object.create ? (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      Object.defineProperty(o, k2, { enumerable: true, get: function() {
        return m[k];
      } });
    }) : (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      o[k2] = m[k];
    }));
    var __setModuleDefault = exports && exports.__setModuleDefault || (Object.create ? (function(o, v) {
      Object.defineProperty(o, "default", { enumerable: true, value: v });
    }) : function(o, v) {
      o["default"] = v;
    });
    var __importStar = exports && exports.__importStar || function(mod) {
      if (mod && mod.__esModule) return mod;
      var result = {};
      if (mod != null) {
        for (var k in mod) if (Object.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
      }
      __setModuleDefault(result, mod);
      return result;
    };
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.type = exports.remove = exports.insert = void 0;
    var unicount_1 = require_unicount();
    var type_1 = __importStar(require_type());
    var api_1 = __importDefault(require_api());
    var ropeImplUnicodeString = {
      create(s) {
        return s;
      },
      toString(s) {
        return s;
      },
      builder(oldDoc) {
        if (typeof oldDoc !== "string")
          throw Error("Invalid document snapshot: " + oldDoc);
        const newDoc = [];
        return {
          skip(n) {
            let offset = unicount_1.uniToStrPos(oldDoc, n);
            if (offset > oldDoc.length)
              throw Error("The op is too long for this document");
            newDoc.push(oldDoc.slice(0, offset));
            oldDoc = oldDoc.slice(offset);
          },
          append(s) {
            newDoc.push(s);
          },
          del(n) {
            oldDoc = oldDoc.slice(unicount_1.uniToStrPos(oldDoc, n));
          },
          build() {
            return newDoc.join("") + oldDoc;
          }
        };
      },
      slice: type_1.uniSlice
    };
    var textString = type_1.default(ropeImplUnicodeString);
    var type2 = Object.assign(Object.assign({}, textString), { api: api_1.default });
    exports.type = type2;
    exports.insert = (pos, text) => text.length === 0 ? [] : pos === 0 ? [text] : [pos, text];
    exports.remove = (pos, textOrLen) => type_1.dlen(textOrLen) === 0 ? [] : pos === 0 ? [{ d: textOrLen }] : [pos, { d: textOrLen }];
    var type_2 = require_type();
    Object.defineProperty(exports, "makeType", { enumerable: true, get: function() {
      return type_2.default;
    } });
  }
});

// entry.mjs
var import_ot_text_unicode = __toESM(require_dist(), 1);
var export_insert = import_ot_text_unicode.insert;
var export_makeType = import_ot_text_unicode.makeType;
var export_remove = import_ot_text_unicode.remove;
var export_type = import_ot_text_unicode.type;
export {
  export_insert as insert,
  export_makeType as makeType,
  export_remove as remove,
  export_type as type
};
