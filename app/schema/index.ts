// The app's schema: the state after the pack ("user".image kept for better-auth, image_id on both
// tables). The other deployed states are in ./states/.
export * from './states/after.ts';
