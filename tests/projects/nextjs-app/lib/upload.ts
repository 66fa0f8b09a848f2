import axios from "axios";

// Only the uploader component imports this module: the request runs in the user's browser.
export async function uploadAvatar(file: Blob, presignedUrl: string) {
  await axios.put(presignedUrl, file);
}
