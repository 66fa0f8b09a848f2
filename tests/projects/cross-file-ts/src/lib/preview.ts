import axios from "axios";

export async function fetchPreview(url: string) {
  const response = await axios.get(url, { timeout: 5000 });
  return response.data;
}
