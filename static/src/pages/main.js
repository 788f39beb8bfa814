// Small progressive enhancements for the server-rendered pages. Every page works without them.
import { enableCopyButtons } from "./copy.js";

enableCopyButtons(document);
