import fetch from "node-fetch";

export async function requestUploadUrl(name: string) {
  const response = await fetch(`https://uploads.example.com/presign?name=${encodeURIComponent(name)}`);
  return response.json();
}
