export { requestUploadUrl } from "./presign";
