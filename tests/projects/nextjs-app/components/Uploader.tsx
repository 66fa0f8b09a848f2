"use client";
import { useState } from "react";
import { uploadAvatar } from "../lib/upload";
import { requestUploadUrl } from "@/lib/storage";
import { sendNotification } from "@/lib/notify";

export function Uploader() {
  const [busy, setBusy] = useState(false);
  async function onPick(file: File) {
    setBusy(true);
    const { url } = await requestUploadUrl(file.name);
    await uploadAvatar(file, url);
    await sendNotification("uploads", file.name);
    setBusy(false);
  }
  return <input type="file" disabled={busy} onChange={(e) => e.target.files && onPick(e.target.files[0])} />;
}
