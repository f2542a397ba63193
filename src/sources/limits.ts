// Size limits for inputs: a single message and a whole non-archive file (archives are streamed).

/** Largest single mail message parsed (bytes); larger ones are reported (MMR004) and skipped. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Largest patch/text file or stdin read whole (bytes); larger ones are reported (MMR001) and skipped. */
export const MAX_TEXT_BYTES = 128 * 1024 * 1024;
