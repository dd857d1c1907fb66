/** Items per page when a list call names no `limit`. */
export const DEFAULT_PAGE_SIZE = 20;
