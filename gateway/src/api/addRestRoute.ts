// The helper lives in http/ (no domain imports, so features' HTTP modules may use it without a circle);
// kept here for the api/ modules that import it by this path.
export {
  addRestRoute,
  type RawReply,
  type RestCall,
  type RestResult,
  type RestRouteHandler,
  type TableRoute,
} from '../http/addRestRoute.js';
