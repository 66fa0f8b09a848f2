import axios from "axios";

export async function fetchPreview(url: string) {
  const response = await axios.get(url, { timeout: 5000 });
  return response.data;
}

// Its callers fix the scheme and host in front of what the client sends.
export async function fetchFromApi(url: string) {
  const response = await axios.get(url, { timeout: 5000 });
  return response.data;
}
